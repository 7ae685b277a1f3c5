"""Train tiny RAG-Token, RAG-Sequence and a closed-book generator on the synthetic world; print held-out EM vs steps.

The point of both papers in one table: the same tiny T5 generator, trained on the same questions, answers questions
about facts it never saw in training only when it can read retrieved passages. Retrieval is fixed here (the bundled
all-MiniLM-L6-v2, top-k computed once), so that the run measures the generator's learning alone.

    python bench/rag_world_training.py --device cuda --steps 4000            # about 3 minutes on one H200
    python bench/rag_world_training.py --device cpu --steps 4000 --only rag_token   # much slower on 2 CPU cores
    python bench/rag_world_training.py --device cuda --warm_steps 800 --prefix_space --vocab_size 16000  # the notebook's recipe

The README's GPU table used the defaults (no warm-up, tokenizer without a prefix space). `--prefix_space` trains the
tokenizer with `add_prefix_space=True` (a name has one spelling in passages and answers; cached in its own folder), and
`--warm_steps N` first trains each generator, the closed book included, for N steps of salient-span infilling on the
knowledge base with the source passage in context (`span_masking.warm_up_generator`).

Stage 1 (world, tokenizer, MiniLM retrieval for every question) runs on the CPU and is cached in
bench/results/rag_world/ (delete it to recompute). Stage 2 trains each generator from scratch with AdamW
(`training.configure_optimizer`, the workbook's one optimiser rule, in its one loop `training.fit`)
(linear warm-up over 100 steps, gradient clipping at 1.0) on batches of 32 questions, and every `--every` steps
decodes the first 300 validation questions greedily (RAG-Token's marginal next-token distribution) and prints their
exact match. Validation questions ask about facts that no training question asked.
"""
import argparse, json, os, re, string, sys, time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from realm_rag.data import train_tokenizer
from realm_rag.world import create_sample_data
from realm_rag.generation import build_tiny_generator, encode_contexts, encode_targets, token_logprobs, decode_answers
from realm_rag.marginalization import rag_token_nll, rag_sequence_nll, rag_decode
from realm_rag.metrics import exact_match
from realm_rag.safe_io import atomic_write_json
from realm_rag.training import Callback, configure_optimizer, fit, make_scheduler

CONFIGS = {  # name -> (documents per question k (0 = closed book), marginalisation)
    "rag_token": (3, "token"), "rag_sequence": (3, "sequence"), "closed_book": (0, "token")}

def tokenizer_dir(cache: Path, prefix_space: bool, vocab_size: int = 4000) -> Path:
    "The cached tokenizer's folder (the README's runs used the plain `tokenizer/`)."
    if vocab_size == 4000 and not prefix_space: return cache / "tokenizer"
    return cache / f"tokenizer_{vocab_size}{'_prefix_space' if prefix_space else ''}"

def stage1(cache: Path, num_docs: int, num_examples: int, prefix_space: bool = False, vocab_size: int = 4000):
    "World, tokenizer and top-5 MiniLM retrieval for every question, cached as JSON."
    d = create_sample_data(num_examples=num_examples, num_docs=num_docs, seed=0)
    kb = d["knowledge_base"]
    if not tokenizer_dir(cache, prefix_space, vocab_size).exists():
        train_tokenizer(kb, vocab_size=vocab_size, save_dir=str(tokenizer_dir(cache, prefix_space, vocab_size)),
                        add_prefix_space=prefix_space)
    if (cache / "retrieval.json").exists(): return
    from realm_rag.retrieval import Retriever
    cache.mkdir(parents=True, exist_ok=True)
    r = Retriever.from_documents(kb, show_progress=True)
    out = {}
    for split in ("train", "val", "test"):
        qs = d["datasets"][split]
        res = r.retrieve([q["question"] for q in qs], k=5)
        out[split] = {"idx": res.indices.tolist(), "scores": res.scores.tolist()}
        hit = sum(any(kb[j]["id"] in q["gold_doc_ids"] for j in row[:3]) for q, row in zip(qs, res.indices.tolist()))
        print(f"{split}: {len(qs)} questions, gold passage in MiniLM top-3: {hit / len(qs):.3f}", flush=True)
    atomic_write_json(cache / "retrieval.json", out)

def train_one(name, k, marg, args, d, R, tok, dev):
    torch.manual_seed(0)
    kb, tr, va = d["knowledge_base"], d["datasets"]["train"], d["datasets"]["val"][:300]
    gen = build_tiny_generator(tok, arch="t5", d_model=args.d_model, layers=2, heads=4, ffn=4 * args.d_model,
                               dropout=0.0).to(dev)
    if args.warm_steps:
        from realm_rag.span_masking import warm_up_generator
        t = time.time()
        wl = warm_up_generator(gen, tok, d["knowledge_base"], steps=args.warm_steps, batch_size=32, learning_rate=args.lr,
                               show_progress=False)
        print(f"{name:13s} warm-up: {args.warm_steps} infilling steps, loss {sum(wl[:20]) / len(wl[:20]):.2f} -> "
              f"{sum(wl[-20:]) / len(wl[-20:]):.2f} [{time.time() - t:.0f}s]", flush=True)
    def pre(split, qs):  # every question's fused contexts, tokenised once: (n, k, T)
        if k == 0:
            enc = tok([q["question"] for q in qs], padding="max_length", truncation=True, max_length=32, return_tensors="pt")
            dl = torch.zeros(len(qs), 1)
        else:
            docs = [[kb[j] for j in R[split]["idx"][i][:k]] for i in range(len(qs))]
            dl = torch.tensor([R[split]["scores"][i][:k] for i in range(len(qs))]).log_softmax(-1)
            enc = encode_contexts(tok, [q["question"] for q in qs], docs, max_length=128)
        kk = max(k, 1)
        return enc["input_ids"].view(len(qs), kk, -1).to(dev), enc["attention_mask"].view(len(qs), kk, -1).to(dev), dl.to(dev)
    TR, VA = pre("train", tr), pre("val", va)
    LAB = encode_targets(tok, [q["answer"] for q in tr], 32).to(dev)
    opt = configure_optimizer(gen, lr=args.lr, weight_decay=0.01)   # the workbook's one optimiser rule
    sched = make_scheduler(opt, warmup_steps=100)                     # linear warm-up over 100 steps, then constant
    nll_fn = rag_token_nll if marg == "token" else rag_sequence_nll
    g, B, t0, rows = torch.Generator().manual_seed(0), 32, time.time(), []
    def evaluate():
        gen.eval(); ids, am, dl = VA; n, kk = ids.shape[:2]
        with torch.no_grad():
            hyps = rag_decode(gen, ids.view(n * kk, -1), am.view(n * kk, -1), dl, model_type="rag_token", max_length=12)
        gen.train()
        preds = decode_answers(tok, [h[0].tokens for h in hyps])
        return sum(exact_match(p, q["answers"]) for p, q in zip(preds, va)) / len(va)
    def loss_fn(idx):
        ids, am, dl, labels = TR[0][idx], TR[1][idx], TR[2][idx], LAB[idx]
        kk = ids.shape[1]
        labels = labels[:, :int((labels != -100).sum(1).max())]
        Lx = int(am.sum(-1).max()); ids, am = ids[..., :Lx], am[..., :Lx]
        lp = token_logprobs(gen, ids.reshape(B * kk, -1), am.reshape(B * kk, -1), labels)   # (B*k, T_y, V)
        return {"loss": nll_fn(lp, dl, labels).mean()}
    class Evaluate(Callback):
        def after_step(self, rec):
            s = rec["step"] + 1
            if s % args.every: return
            em = evaluate()
            rows.append({"model": name, "step": s, "loss": round(rec["loss"], 3), "val_em": em, "seconds": round(time.time() - t0)})
            print(f"{name:13s} step {s:5d}  loss {rec['loss']:6.3f}  val EM {em:.3f}  [{time.time() - t0:.0f}s]", flush=True)
    gen.train()
    fit(loss_fn, lambda step: [torch.randint(len(tr), (B,), generator=g).to(dev)], opt, args.steps, sched,
        max_grad_norm=1.0, callbacks=[Evaluate()], show_progress=False)
    return rows

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--steps", type=int, default=4000); p.add_argument("--every", type=int, default=500)
    p.add_argument("--lr", type=float, default=1e-3); p.add_argument("--d_model", type=int, default=128)
    p.add_argument("--num_docs", type=int, default=5000); p.add_argument("--num_examples", type=int, default=10000)
    p.add_argument("--only", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--warm_steps", type=int, default=0, help="salient-span infilling warm-up steps per generator")
    p.add_argument("--prefix_space", action="store_true", help="tokenizer with add_prefix_space=True")
    p.add_argument("--vocab_size", type=int, default=4000, help="tokenizer vocabulary (the notebook uses 16000)")
    args = p.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    cache = Path(__file__).resolve().parent / "results" / f"rag_world_{args.num_docs}_{args.num_examples}"
    stage1(cache, args.num_docs, args.num_examples, args.prefix_space, args.vocab_size)
    from transformers import PreTrainedTokenizerFast
    d = create_sample_data(num_examples=args.num_examples, num_docs=args.num_docs, seed=0)
    R = json.loads((cache / "retrieval.json").read_text())
    tok = PreTrainedTokenizerFast.from_pretrained(str(tokenizer_dir(cache, args.prefix_space, args.vocab_size)))
    print(f"device {args.device}; train/val questions {len(d['datasets']['train'])}/{min(300, len(d['datasets']['val']))}; steps {args.steps} x 32 questions")
    rows = []
    for name in args.only:
        rows += train_one(name, *CONFIGS[name], args, d, R, tok, args.device)
    final = {r["model"]: r["val_em"] for r in rows if r["step"] == max(x["step"] for x in rows)}
    print("\nfinal held-out EM: " + ", ".join(f"{m} {v:.3f}" for m, v in final.items()))
    if "closed_book" in final and final["closed_book"] > 0:
        for m in final:
            if m != "closed_book": print(f"{m} / closed_book = {final[m] / final['closed_book']:.1f}x")
    (cache / "history.json").write_text(json.dumps(rows, indent=1))

if __name__ == "__main__":
    main()

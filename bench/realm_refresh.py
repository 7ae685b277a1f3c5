"""REALM index refresh vs a frozen index, over several seeds: does a stale index cost retrieval quality on the world?

The setup of nbs/experiments/realm_pretraining.ipynb (a 500-passage world, 64-dim tiny towers warm-started with 300 ICT
steps, a tiny BERT reader, 300 pre-training steps of batch 8, k = 4, 64 held-out salient-span queries), repeated for
each seed (towers, reader, ICT and batch order all change with it) and for each retriever learning rate (the faster
the document tower moves, the staler a frozen index gets). For every run it prints the held-out Hit@5 through the index
in use, the Hit@5 a freshly re-encoded index would give, the top-5 agreement of the two, and the retrieval utility;
then the mean and standard deviation over seeds of each (refresh, retriever_lr).

    python bench/realm_refresh.py --retriever_lrs 2e-4      # 3 seeds x {sync, frozen}: the figures in the README
    python bench/realm_refresh.py --seeds 0 --steps 50      # a quick look
    python bench/realm_refresh.py --retriever_lrs 2e-4 --refresh sync --strategies salient random_span random_token
                                                            # the masking ablation over seeds

`--strategies` trains on sentences masked by each strategy (the evaluation queries stay salient-span masked, as in the
notebook).
"""
import argparse, copy, json, sys, time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from realm_rag.data import train_tokenizer
from realm_rag.world import make_world
from realm_rag.span_masking import make_masked_examples
from realm_rag.encoders import BiEncoder
from realm_rag.realm import build_tiny_mlm
from realm_rag.retriever_training import train_ict
from realm_rag.realm_pretraining import pretrain_realm, sentence_fact_docs, pretraining_summary

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--retriever_lrs", type=float, nargs="+", default=[2e-4, 1e-3])
    p.add_argument("--refresh", nargs="+", default=["sync", "frozen"], choices=["sync", "async", "frozen"])
    p.add_argument("--strategies", nargs="+", default=["salient"], choices=["salient", "random_span", "random_token"])
    p.add_argument("--steps", type=int, default=300); p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "realm_refresh.json"))
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    world = make_world(num_docs=500, seed=0)
    documents = world.documents
    tok = train_tokenizer(documents, vocab_size=1500)
    fact_docs = sentence_fact_docs(world)
    facts = sorted(fact_docs)
    held_out = {facts[i] for i in np.random.default_rng(0).choice(len(facts), 64, replace=False)}
    masked = {s: make_masked_examples(documents, tok, s, seed=0, show_progress=False)
              for s in {"salient", *args.strategies}}
    train_ex = {s: [e for e in masked[s] if (e.doc_id, e.sentence_start) not in held_out] for s in args.strategies}
    eval_ex = [e for e in masked["salient"] if (e.doc_id, e.sentence_start) in held_out]
    rows, t_all = [], time.perf_counter()
    for seed in args.seeds:
        enc0 = BiEncoder.tiny(tok, dim=64, layers=2, heads=2, seed=seed, shared=False)
        mlm0 = build_tiny_mlm(tok, hidden=64, layers=2, heads=2, seed=seed)
        train_ict(enc0, documents, steps=300, batch_size=32, lr=2e-3, seed=seed, show_progress=False)
        for strategy, rlr, refresh in [(a, b, c) for a in args.strategies for b in args.retriever_lrs for c in args.refresh]:
            t0 = time.perf_counter()
            h = pretrain_realm(train_ex[strategy], documents, copy.deepcopy(enc0), copy.deepcopy(mlm0), tok, steps=args.steps,
                               batch_size=8, k=4, lr=2e-3, retriever_lr=rlr, refresh=refresh, refresh_every=20,
                               eval_examples=eval_ex, relevant=fact_docs, eval_every=args.steps, eval_k=5,
                               max_length=128, seed=seed, show_progress=False)
            s = pretraining_summary({"run": h}).iloc[0]
            row = {"seed": seed, "strategy": strategy, "retriever_lr": rlr, "refresh": refresh, "hit@5": float(s["eval_hit@5"]),
                   "fresh_hit@5": float(s["eval_fresh_hit@5"]), "agreement@5": float(s["eval_agreement@5"]),
                   "ru": float(s["eval_ru"]), "seconds": round(time.perf_counter() - t0)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{len(rows)} runs in {time.perf_counter() - t_all:.0f}s; mean ± sd over seeds {args.seeds}:")
    print(f"{'strategy':>12} {'retriever_lr':>12} {'refresh':>7} {'hit@5':>13} {'fresh_hit@5':>13} {'agreement@5':>13} {'RU':>13}")
    for strategy in args.strategies:
        for rlr in args.retriever_lrs:
            for refresh in args.refresh:
                sel = [r for r in rows if r["strategy"] == strategy and r["retriever_lr"] == rlr and r["refresh"] == refresh]
                cell = lambda m: f"{np.mean([r[m] for r in sel]):.3f}±{np.std([r[m] for r in sel]):.3f}"
                print(f"{strategy:>12} {rlr:>12g} {refresh:>7} {cell('hit@5'):>13} {cell('fresh_hit@5'):>13} "
                      f"{cell('agreement@5'):>13} {cell('ru'):>13}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=1))

if __name__ == "__main__":
    main()

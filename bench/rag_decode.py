"""RAG decoding speed: our decoders (marginalization.rag_token_greedy, rag_token_beam_search, rag_sequence_generate
fast / thorough) vs transformers' RagTokenForGeneration.generate (greedy, beam 4) and
RagSequenceForGeneration.generate (beam 4, thorough), on the same tiny random BART, fused contexts and doc scores.

Reports ms per question and answer tokens per second (tokens of the best answer, `</s>` included, decoder start
excluded), timed interleaved (one round = every strategy once, in a rotating order), median over rounds. Checks how
many answers are identical where they should agree (greedy vs greedy exactly; beams and RAG-Sequence mostly: the
stopping rules differ). BART's default forced_eos_token_id (</s> forced at max_length) is switched off so that
both sides stop alike.

Known differences: transformers' RagSequenceForGeneration.generate calls the generator's generate with
attention_mask=None, so on padded contexts its per-document beams attend to padding and its answers can differ
from ours (ours match generator.generate(..., attention_mask=mask) beam for beam); it also ranks candidates
without the first answer token's score (exclude_bos_score=True).

Our RAG-Token decoders keep the decoder's key/value cache (each step feeds only the newest token). What a cache
saves is measured two ways: transformers' RAG-Token greedy with use_cache=False vs True, and the time of one
uncached RAG-Token decoding step (`rag_token_next_logprobs` on the whole prefix) at prefix length 1 vs `--max-new`.

    python bench/rag_decode.py [--quick] [--d-model 128] [--questions 8] [--k 5] [--src-len 128] [--max-new 16]
"""
import argparse, statistics, time
import torch
from _common import machine_note, save_results
from rag_train_step import _Vocab, hf_rag, make_batch


def strip_hf(rows, pad):
    "transformers' output (N, 1+L): drop the decoder start token and the padding of finished rows."
    return [[t for t in r[1:] if t != pad] for r in rows.tolist()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=4000)
    ap.add_argument("--questions", type=int, default=8)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--src-len", type=int, default=128)
    ap.add_argument("--max-new", type=int, default=16, help="longest answer in tokens (transformers: max_length = this + 1)")
    ap.add_argument("--beams", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="4 questions, 1 round")
    args = ap.parse_args()
    if args.quick: args.questions, args.rounds = 4, 1
    torch.set_num_threads(args.threads)
    from transformers import RagSequenceForGeneration, RagTokenForGeneration
    from realm_rag.generation import build_tiny_generator
    from realm_rag.marginalization import (rag_sequence_generate, rag_token_beam_search, rag_token_greedy,
                                           rag_token_next_logprobs, FusedContexts)
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    B, k, L, nb = args.questions, args.k, args.max_new, args.beams
    gen = build_tiny_generator(_Vocab(args.vocab), "bart", d_model=args.d_model, layers=args.layers, heads=args.heads,
                               ffn=4 * args.d_model, max_positions=max(512, args.src_len + 2), dropout=0.0, seed=0,
                               init_std=0.3).eval()       # as nbs/08: the output depends on the document read
    ids, mask, _, scores = make_batch(args.vocab, B, k, args.src_len, 2)                  # (B*k, T), (B, k)
    dlp = scores.log_softmax(-1)                                                          # (B, k)
    pad = gen.config.pad_token_id
    rt = hf_rag(RagTokenForGeneration, gen, k, reduce_loss=False).eval()
    rs = hf_rag(RagSequenceForGeneration, gen, k, reduce_loss=False).eval()   # generate ranks by a per-question loss
    for m in (gen, rt): m.generation_config.forced_eos_token_id = None     # BartConfig forces </s> at max_length; we don't
    hf_kw = dict(context_input_ids=ids, context_attention_mask=mask, doc_scores=scores, max_length=L + 1, n_docs=k)
    best = lambda hyps: [h[0].tokens for h in hyps]
    strategies = {
        "ours RAG-Token greedy": lambda: best(rag_token_greedy(gen, ids, mask, dlp, max_length=L)),
        f"ours RAG-Token beam {nb}": lambda: best(rag_token_beam_search(gen, ids, mask, dlp, num_beams=nb, max_length=L)),
        f"ours RAG-Sequence fast, beam {nb}": lambda: best(rag_sequence_generate(gen, ids, mask, dlp, num_beams=nb,
                                                                                 method="fast", max_length=L)),
        f"ours RAG-Sequence thorough, beam {nb}": lambda: best(rag_sequence_generate(gen, ids, mask, dlp, num_beams=nb,
                                                                                     method="thorough", max_length=L)),
        "transformers RAG-Token greedy": lambda: strip_hf(rt.generate(**hf_kw, num_beams=1), pad),
        f"transformers RAG-Token beam {nb}": lambda: strip_hf(rt.generate(**hf_kw, num_beams=nb), pad),
        f"transformers RAG-Sequence thorough, beam {nb}": lambda: strip_hf(rs.generate(**hf_kw, num_beams=nb), pad),
        "transformers RAG-Token greedy, use_cache=False": lambda: strip_hf(rt.generate(**hf_kw, num_beams=1,
                                                                                       use_cache=False), pad),
    }
    print(f"inputs: B={B} questions x k={k} docs, contexts {tuple(ids.shape)}, BART d_model={args.d_model} "
          f"{args.layers}+{args.layers} layers, vocab {args.vocab}, answers <= {L} tokens, {args.threads} torch thread(s), "
          f"{args.rounds} interleaved round(s)")
    names, times, outs = list(strategies), {n: [] for n in strategies}, {}
    with torch.no_grad():
        for n in names: outs[n] = strategies[n]()                                      # warm-up + outputs
        for r in range(args.rounds):
            for n in names[r % len(names):] + names[:r % len(names)]:
                t0 = time.perf_counter(); strategies[n](); times[n].append(time.perf_counter() - t0)
    rows = {}
    print(f"\n{'strategy':48s} {'ms/question':>12s} {'tokens/s':>9s} {'mean answer len':>16s} {'vs transformers':>16s}")
    ref = {"ours RAG-Token greedy": "transformers RAG-Token greedy",
           f"ours RAG-Token beam {nb}": f"transformers RAG-Token beam {nb}",
           f"ours RAG-Sequence fast, beam {nb}": f"transformers RAG-Sequence thorough, beam {nb}",
           f"ours RAG-Sequence thorough, beam {nb}": f"transformers RAG-Sequence thorough, beam {nb}"}
    for n in names:
        med = statistics.median(times[n]); ntok = sum(map(len, outs[n]))
        rows[n] = dict(ms_per_question=1e3 * med / B, tokens_per_s=ntok / med, answer_tokens=ntok, times_s=times[n])
    for n in names:
        r = rows[n]
        vs = f"{r['ms_per_question'] / rows[ref[n]]['ms_per_question']:.2f}x time" if n in ref else ""
        print(f"{n:48s} {r['ms_per_question']:12.1f} {r['tokens_per_s']:9.1f} {r['answer_tokens'] / B:16.1f} {vs:>16s}")
    agree = lambda a, b: sum(x == y for x, y in zip(outs[a], outs[b]))
    checks = {f"{a} == {b}": agree(a, b) for a, b in [
        *ref.items(), (f"ours RAG-Sequence fast, beam {nb}", f"ours RAG-Sequence thorough, beam {nb}"),
        ("transformers RAG-Token greedy", "transformers RAG-Token greedy, use_cache=False")]}
    print(f"\nidentical answers (of {B}):")
    for c, v in checks.items(): print(f"  {v:3d}  {c}")

    # the cost of having no key/value cache
    cache_ratio = rows["transformers RAG-Token greedy, use_cache=False"]["ms_per_question"] / \
        rows["transformers RAG-Token greedy"]["ms_per_question"]
    ctx = FusedContexts(gen, ids, mask)   # the encoder runs once
    start = gen.config.decoder_start_token_id
    step_ms = {}
    with torch.no_grad():
        for t in (1, L // 2, L):
            prefix = torch.cat([torch.full((B, 1), start), torch.randint(4, args.vocab, (B, t - 1))], 1)   # (B, t)
            ts = []
            for _ in range(5):
                t0 = time.perf_counter(); rag_token_next_logprobs(gen, ctx, dlp, prefix)
                ts.append(time.perf_counter() - t0)
            step_ms[t] = 1e3 * statistics.median(ts)
    uncached = sum(step_ms[1] + (step_ms[L] - step_ms[1]) * (t - 1) / (L - 1) for t in range(1, L + 1))
    print(f"\nno key/value cache: transformers' RAG-Token greedy is {cache_ratio:.2f}x slower with use_cache=False.")
    print(f"one uncached step (rag_token_next_logprobs on the whole prefix) for {B} questions x {k} docs: "
          + ", ".join(f"prefix {t}: {v:.1f} ms" for t, v in step_ms.items())
          + f"; a {L}-token answer costs ~{uncached:.0f} ms of steps vs {L} x {step_ms[1]:.1f} = {L * step_ms[1]:.0f} ms "
          f"if every step cost a length-1 step ({uncached / (L * step_ms[1]):.2f}x): what our decoders' cache saves "
          f"(the cached step also reuses the cross-attention keys/values of all {args.src_len} source positions).")
    print("\nmachine after:", machine_note())
    save_results("rag_decode" + ("_quick" if args.quick else ""),
                 dict(args=vars(args), strategies=rows, identical_answers=checks, no_cache_ratio_transformers=cache_ratio,
                      our_step_ms_by_prefix=step_ms, our_uncached_over_len1_steps=uncached / (L * step_ms[1])))


if __name__ == "__main__":
    main()

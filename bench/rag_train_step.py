"""RAG training step: our RAG-Token / RAG-Sequence loss vs transformers' RagTokenForGeneration / RagSequenceForGeneration.

One step = forward + backward + AdamW step, on the same tiny random BART and the same batch: B questions, k fused
contexts each of exactly `--src-len` tokens (the (B*k, T) layout `generation.encode_contexts` produces), targets of
up to `--tgt-len` tokens (`</s>` included), and doc scores (B, k) that require grad (a stand-in for the retriever).

- ours:         generation.token_logprobs(generator, ids, mask, labels) -> marginalization.rag_{token,sequence}_nll(
                ..., doc_scores.log_softmax(-1), labels, reduction="sum")
- transformers: Rag{Token,Sequence}ForGeneration(context_input_ids, context_attention_mask, doc_scores, labels,
                reduce_loss=True).loss   (labels carry the decoder start token, as in nbs/08_marginalization)

Each side trains its own copy of the generator (same initial weights). The two losses are compared before timing,
then the steps are timed interleaved (ours, theirs, ours, ...) after warm-up and the medians compared. Random token
ids are used (the speed of a step does not depend on the text); dropout is 0 so that the losses can be compared, and
init_std=0.3 (as in nbs/08) so that the documents matter and RAG-Token and RAG-Sequence losses differ.

    python bench/rag_train_step.py [--quick] [--sizes 128 256] [--batch 8] [--k 5] [--src-len 128] [--tgt-len 16]
"""
import argparse, copy, statistics, time
import torch
from _common import machine_note, save_results


class _Vocab:
    "Just what build_tiny_generator reads from a tokenizer: len and BART-style special ids (bos 0, pad 1, eos 2)."
    bos_token_id, pad_token_id, eos_token_id = 0, 1, 2
    def __init__(self, n): self.n = n
    def __len__(self): return self.n


class _Trained(torch.nn.Module):
    "What one side's optimiser updates: the generator and the document scores."
    def __init__(self, gen, scores):
        super().__init__()
        self.gen, self.scores = gen, torch.nn.Parameter(scores.clone())


def make_batch(V, B, k, src_len, tgt_len, seed=0):
    "Random fused contexts (B*k, src_len) ending in </s> with some right padding, targets (B, <=tgt_len), doc scores."
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, V, (B * k, src_len), generator=g)                       # (B*k, T)
    lens = torch.randint(src_len * 3 // 4, src_len + 1, (B * k,), generator=g); lens[0] = src_len
    mask = torch.arange(src_len)[None] < lens[:, None]                              # (B*k, T)
    ids[torch.arange(B * k), lens - 1] = _Vocab.eos_token_id
    ids = ids.masked_fill(~mask, _Vocab.pad_token_id)
    tl = torch.randint(2, tgt_len + 1, (B,), generator=g); tl[0] = tgt_len
    labels = torch.randint(4, V, (B, tgt_len), generator=g)                         # (B, T_y)
    labels[torch.arange(B), tl - 1] = _Vocab.eos_token_id
    labels = labels.masked_fill(torch.arange(tgt_len)[None] >= tl[:, None], -100)
    doc_scores = torch.randn(B, k, generator=g)                                     # (B, k)
    return ids, mask.long(), labels, doc_scores


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256], help="BART d_model values (ffn = 4 d_model)")
    ap.add_argument("--layers", type=int, default=2, help="encoder layers = decoder layers")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=4000, help="train_tokenizer's default vocabulary size")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--src-len", type=int, default=128)
    ap.add_argument("--tgt-len", type=int, default=16)
    ap.add_argument("--epsilon", type=float, default=0.0, help="label smoothing (both sides)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10, help="timed steps per side and model")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the CPU is shared)")
    ap.add_argument("--profile", action="store_true", help="print a torch.profiler table per side for the first size")
    ap.add_argument("--quick", action="store_true", help="one size (128), 1 warm-up, 4 timed steps")
    args = ap.parse_args()
    if args.quick: args.sizes, args.warmup, args.steps = args.sizes[:1], 1, 4
    torch.set_num_threads(args.threads)
    from transformers import RagSequenceForGeneration, RagTokenForGeneration
    from realm_rag.generation import build_tiny_generator, token_logprobs
    from realm_rag.marginalization import hf_labels, hf_rag, rag_sequence_nll, rag_token_nll
    from realm_rag.training import configure_optimizer
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; numbers are wall-clock)")
    B, k = args.batch, args.k
    ids, mask, labels, scores0 = make_batch(args.vocab, B, k, args.src_len, args.tgt_len)
    print(f"batch: B={B} questions x k={k} docs, contexts (B*k, T) = {tuple(ids.shape)}, targets (B, T_y) = "
          f"{tuple(labels.shape)} ({int((labels != -100).sum())} label tokens), vocab {args.vocab}, "
          f"label smoothing {args.epsilon}, {args.threads} torch thread(s)")
    out = dict(args=vars(args), results={})
    for d in args.sizes:
        gen0 = build_tiny_generator(_Vocab(args.vocab), "bart", d_model=d, layers=args.layers, heads=args.heads,
                                    ffn=4 * d, max_positions=max(512, args.src_len + 2), dropout=0.0, seed=0,
                                    init_std=0.3)   # as nbs/08: the output depends on the document
        n_params = sum(p.numel() for p in gen0.parameters())
        for name, cls, nll in [("RAG-Token", RagTokenForGeneration, rag_token_nll),
                               ("RAG-Sequence", RagSequenceForGeneration, rag_sequence_nll)]:
            ours_gen, theirs_gen = copy.deepcopy(gen0).train(), copy.deepcopy(gen0).train()
            theirs = hf_rag(cls, theirs_gen, k, args.epsilon, reduce_loss=True).train()
            ours_m, theirs_m = _Trained(ours_gen, scores0), _Trained(theirs_gen, scores0)   # question encoder unused
            s_ours, s_theirs = ours_m.scores, theirs_m.scores
            opt_ours, opt_theirs = configure_optimizer(ours_m, lr=1e-4), configure_optimizer(theirs_m, lr=1e-4)
            hl = hf_labels(labels, theirs_gen)

            def loss_ours():
                lp = token_logprobs(ours_gen, ids, mask, labels)                   # (B*k, T_y, V)
                return nll(lp, s_ours.log_softmax(-1), labels, epsilon=args.epsilon, reduction="sum")

            def loss_theirs():
                return theirs(context_input_ids=ids, context_attention_mask=mask, doc_scores=s_theirs,
                              labels=hl, use_cache=False).loss

            def step(loss_fn, opt):
                t0 = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(); loss.backward(); opt.step()
                return time.perf_counter() - t0, loss.item()

            # agreement before any update: losses and doc-score gradients
            l_o, l_t = loss_ours(), loss_theirs()
            g_o, = torch.autograd.grad(l_o, s_ours); g_t, = torch.autograd.grad(l_t, s_theirs)
            loss_diff, grad_diff = abs(l_o.item() - l_t.item()), (g_o - g_t).abs().max().item()
            if args.profile and d == args.sizes[0]:
                from torch.profiler import profile, ProfilerActivity
                for side, fn, opt in [("ours", loss_ours, opt_ours), ("transformers", loss_theirs, opt_theirs)]:
                    step(fn, opt)
                    with profile(activities=[ProfilerActivity.CPU]) as prof: step(fn, opt)
                    print(f"\n--- profile {name} d_model={d} {side} ---")
                    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12))
            for _ in range(args.warmup): step(loss_ours, opt_ours); step(loss_theirs, opt_theirs)
            t_o, t_t = [], []
            for i in range(args.steps):   # interleaved, alternating who goes first
                pair = [(t_o, loss_ours, opt_ours), (t_t, loss_theirs, opt_theirs)]
                for times, fn, opt in (pair if i % 2 == 0 else pair[::-1]): times.append(step(fn, opt)[0])
            med_o, med_t = statistics.median(t_o), statistics.median(t_t)
            r = dict(d_model=d, layers=args.layers, params=n_params, loss_ours=l_o.item(), loss_transformers=l_t.item(),
                     max_loss_diff=loss_diff, max_doc_score_grad_diff=grad_diff, ours_ms=[1e3 * t for t in t_o],
                     transformers_ms=[1e3 * t for t in t_t], ours_median_ms=1e3 * med_o,
                     transformers_median_ms=1e3 * med_t, ratio_ours_over_transformers=med_o / med_t)
            out["results"][f"{name}/d{d}"] = r
            print(f"\n{name}, BART d_model={d} {args.layers}+{args.layers} layers ({n_params / 1e6:.2f}M params): "
                  f"loss ours {l_o.item():.4f} transformers {l_t.item():.4f} (|diff| {loss_diff:.2e}), "
                  f"max |d loss/d doc_scores diff| {grad_diff:.2e}")
            print(f"  train step (fwd+bwd+AdamW), median of {args.steps} [min..max]: "
                  f"ours {1e3 * med_o:7.1f} ms [{1e3 * min(t_o):.0f}..{1e3 * max(t_o):.0f}]   "
                  f"transformers {1e3 * med_t:7.1f} ms [{1e3 * min(t_t):.0f}..{1e3 * max(t_t):.0f}]   "
                  f"ratio ours/transformers {med_o / med_t:.2f}x")
    print("\nmachine after:", machine_note())
    save_results("rag_train_step" + ("_quick" if args.quick else ""), out)


if __name__ == "__main__":
    main()

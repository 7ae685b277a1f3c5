"""Document encoding throughput: realm_rag BiEncoder.encode_docs vs SentenceTransformer.encode.

Same model (bundled all-MiniLM-L6-v2), same 2,000 SQuAD v1.1 dev paragraphs ("title / text"), same batch size and
max length, same process, measured side by side. Checks the embeddings agree (max abs diff).

    REALM_RAG_DATA_DIR=/path/to/data python bench/encode_docs.py [--n 2000] [--batch-size 64] [--rounds 1]
"""
import argparse, time
import numpy as np
from _common import machine_note, save_results, squad_paragraphs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=1, help="alternating timed rounds per implementation (best is kept)")
    args = ap.parse_args()
    from sentence_transformers import SentenceTransformer
    from realm_rag.encoders import BiEncoder, default_retriever_path, padding_fraction, to_texts
    print("machine:", machine_note(), "(the CPU may be shared with other jobs; both sides run in this process, alternating)")
    texts = to_texts(squad_paragraphs(args.n))
    enc = BiEncoder.from_pretrained()
    st = SentenceTransformer(default_retriever_path(), device="cpu")
    st.max_seq_length = enc.max_length
    print(f"{len(texts)} paragraphs, batch_size={args.batch_size}, max_length={enc.max_length} (both)")
    enc.encode_docs(texts[:64], batch_size=args.batch_size, show_progress=False)          # warm-up
    st.encode(texts[:64], batch_size=args.batch_size)
    t_ours, t_st = [], []
    for r in range(args.rounds):
        t0 = time.perf_counter(); ours = enc.encode_docs(texts, batch_size=args.batch_size, show_progress=False); t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); ref = st.encode(texts, batch_size=args.batch_size, convert_to_numpy=True, show_progress_bar=False); t_st.append(time.perf_counter() - t0)
        print(f"round {r}: ours {t_ours[-1]:.1f}s, sentence-transformers {t_st[-1]:.1f}s")
    lengths = [len(x) for x in enc.tokenizer(texts, truncation=True, max_length=enc.max_length)["input_ids"]]
    res = dict(n=len(texts), batch_size=args.batch_size, max_length=enc.max_length,
               ours_docs_per_s=len(texts) / min(t_ours), st_docs_per_s=len(texts) / min(t_st),
               max_abs_diff=float(np.abs(ours - ref).max()),
               padding_fraction_input_order=padding_fraction(lengths, args.batch_size, sort=False),
               padding_fraction_sorted=padding_fraction(lengths, args.batch_size, sort=True))
    res["ratio_ours_over_st"] = res["ours_docs_per_s"] / res["st_docs_per_s"]
    print(f"ours:                  {res['ours_docs_per_s']:.1f} docs/s")
    print(f"sentence-transformers: {res['st_docs_per_s']:.1f} docs/s")
    print(f"ratio (ours / st):     {res['ratio_ours_over_st']:.2f}x   max |diff| = {res['max_abs_diff']:.2e}")
    print(f"padding: {res['padding_fraction_input_order']:.3f} of positions in input order, {res['padding_fraction_sorted']:.3f} token-length sorted")
    save_results("encode_docs", res)


if __name__ == "__main__":
    main()

"""A Jupyter-first workbook that implements REALM and RAG: read each paper step, run it on a laptop, train it on your own knowledge base.

Modules:

- `realm_rag.encoders`: The two towers of a dense retriever, a query encoder q(x) and a document encoder d(z), whose inner product scores documents: any Hugging Face encoder (DPR, sentence-transformers, the bundled all-MiniLM-L6-v2) or a tiny random BERT for tests.
- `realm_rag.indexing`: Maximum inner product search over the document embeddings d(z) with FAISS: an exact index checked against brute force, approximate IVF / IVF-PQ / HNSW indexes and their recall–speed–memory trade-offs, and a save/load that refuses an index built for other documents or another encoder.
- `realm_rag.realm`: The knowledge-augmented encoder p(y|z,x), REALM's marginal likelihood over the top-k documents plus the null document, trivial-retrieval exclusion and retrieval utility, with gradients that reach both retriever towers.
- `realm_rag.realm_pretraining`: Keep the document index fresh while the document tower trains (synchronously, or asynchronously in a background thread, with the staleness logged), and pre-train the retriever and the knowledge-augmented encoder end to end on masked sentences of the knowledge corpus.
- `realm_rag.scaling`: Sharded, resumable corpus encoding over several processes; sharded and on-disk FAISS indexes whose merged top-k equals one index over all vectors; one index served to every training process; and what 21M Wikipedia passages would need.
- `realm_rag.world`: A world of invented people, places, organisations and facts, rendered into passages with annotated salient spans, with questions, train / val / test splits, and a second edition whose facts change: the data every other notebook trains and tests on, on a laptop, in seconds."""

__version__ = "0.1.0"

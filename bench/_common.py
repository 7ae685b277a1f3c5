"Shared helpers for the benchmark scripts (not part of the package)."
import json, os, platform, time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def machine_note() -> dict:
    "CPU count, load averages and library versions, printed with every result: the CPU may be shared."
    import faiss, numpy, torch
    return dict(cpus=os.cpu_count(), torch_threads=torch.get_num_threads(), faiss_threads=faiss.omp_get_max_threads(),
                load_avg_1_5_15=[round(x, 2) for x in os.getloadavg()], python=platform.python_version(),
                numpy=numpy.__version__, torch=torch.__version__, faiss=faiss.__version__)


def save_results(name: str, results: dict) -> Path:
    "Write results/<name>.json (bench/results/ is git-ignored)."
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    results = {"bench": name, "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **results,
               "machine_after": machine_note()}
    path.write_text(json.dumps(results, indent=2))
    print(f"wrote {path}")
    return path


def squad_paragraphs(n: int) -> list[dict]:
    "The first n SQuAD v1.1 dev paragraphs as knowledge-base records ($REALM_RAG_DATA_DIR/squad-v1.1-dev.json)."
    try:
        from realm_rag.data import load_squad
        return load_squad()[0][:n]
    except ImportError:
        data_dir = os.environ.get("REALM_RAG_DATA_DIR")
        if not data_dir: raise SystemExit("set REALM_RAG_DATA_DIR to the folder holding squad-v1.1-dev.json")
        data = json.loads((Path(data_dir) / "squad-v1.1-dev.json").read_text())["data"]
        return [{"id": f"squad-{a}-{p}", "title": art["title"].replace("_", " "), "text": par["context"], "metadata": {}}
                for a, art in enumerate(data) for p, par in enumerate(art["paragraphs"])][:n]

"""Every benchmark sphere scores, one record each: the CLI's `--benchmark` choices, the config's
`evaluate.benchmarks`, the DAG's scoring rules (workflow/rules/scoring.smk), `sphere evaluate`'s dispatch
and the report's tables all read this table. Standard library only (the config check reads it).

Adding an insightface `.bin` set is one record here (kind "bin", its file name), one config line
(`evaluate.benchmarks: [..., name]`, with `evaluate.bin_root` the folder of the `.bin` files) and a test.
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("pairs", "videos", "bin", "ijb", "megaface")


@dataclass(frozen=True)
class Benchmark:
    """One way of scoring a benchmark.

    - `kind`: how it is read and scored: `pairs` (LFW View-2 pairs.txt on images under a root or on store
      features), `videos` (YTF splits.txt on frame features), `bin` (an insightface `.bin`: images and
      issame flags), `ijb` (IJB-B/C meta files and loose crops), `megaface` (devkit lists).
    - `protocol`: the benchmark its numbers belong to (`lfw_bin` scores LFW from `lfw.bin`); its name if blank.
    - `standard`: (folds, pairs per fold) of the benchmark's standard file; a result is standard only when
      it scored exactly that (docs/protocols.md). None: no pair folds (IJB, MegaFace).
    - `file`: the file the DAG reads in its folder (a `.bin` set: `<name>.bin` under `evaluate.bin_root`).
    - `dag`: whether the DAG's evaluate stage can score it (`evaluate.benchmarks`); `table`: the DAG table
      its results land in.
    """

    name: str
    kind: str
    about: str
    protocol: str = ""
    standard: tuple[int, int] | None = None
    file: str = ""
    dag: bool = False
    table: str = "protocol_variants"

    @property
    def benchmark(self) -> str:
        return self.protocol or self.name

    @property
    def verification(self) -> bool:
        """Pair verification: scored under every harness's rule (sphere.protocols.rules)."""
        return self.kind in ("pairs", "videos", "bin")


def _bin(name: str, about: str, pairs: int, protocol: str = "", dag: bool = True) -> Benchmark:
    """An insightface verification `.bin` set (`<benchmark>.bin`): 10 folds of the pair list in order (its KFold)."""
    file = f"{protocol or name}.bin"
    return Benchmark(name, "bin", about, protocol=protocol, standard=(10, pairs // 10), file=file, dag=dag)


RECORDS = (
    Benchmark("lfw", "pairs", "LFW View 2 pairs.txt (paper Table 3/4)", standard=(10, 600), file="pairs.txt", dag=True),
    Benchmark(
        "ytf", "videos", "YouTube Faces splits.txt (paper Table 4)", standard=(10, 500), file="splits.txt", dag=True
    ),
    _bin("lfw_bin", "LFW as an insightface lfw.bin, scored by the model", 6000, protocol="lfw"),
    _bin("cfp_fp", "CFP frontal-profile (insightface .bin)", 7000),
    _bin("cfp_ff", "CFP frontal-frontal (insightface .bin)", 7000),
    _bin("agedb_30", "AgeDB-30 (insightface .bin)", 6000),
    _bin("calfw", "CALFW (insightface .bin)", 6000),
    _bin("cplfw", "CPLFW (insightface .bin)", 6000),
    _bin("vgg2_fp", "VGGFace2 frontal-profile (insightface .bin)", 5000),
    Benchmark("ijbb", "ijb", "IJB-B 1:1 and 1:N (insightface's meta layout)", table="ijb"),
    Benchmark("ijbc", "ijb", "IJB-C 1:1 and 1:N (insightface's meta layout)", dag=True, table="ijb"),
    Benchmark("megaface", "megaface", "MegaFace Challenge 1 (devkit lists)", table="megaface"),
)
BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in RECORDS}
# what `sphere evaluate --benchmark` takes: every benchmark (lfw_bin is lfw given --bin)
PROTOCOLS = tuple(dict.fromkeys(b.benchmark for b in RECORDS))
DAG_BENCHMARKS = tuple(b.name for b in RECORDS if b.dag)


def benchmark(name: str) -> Benchmark:
    """The record a `sphere evaluate --benchmark` name or a config entry refers to."""
    return BENCHMARKS[name]

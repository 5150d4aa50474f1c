# sphere: raw faces -> aligned stores -> training per method -> features -> LFW protocol -> tables, figures.
# Rules only wire files to `sphere` commands; the logic lives in the library (sphere/), the file names in
# sphere/paths.py (RunPaths). `snakemake --lint` reports nothing; `snakemake --report results/<run>/report.html`
# renders the reproduction (workflow/report/).
from snakemake.utils import min_version

min_version("8.0")


# A config given with --configfile replaces the default instead of being merged into it.
if not workflow.overwrite_configfiles:

    configfile: "config/default.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/detect.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/toy.smk"
include: "workflow/rules/ytf.smk"
include: "workflow/rules/megaface.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/scoring.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/leakage.smk"
include: "workflow/rules/shipped.smk"


onstart:
    if CONFIG_STALE:  # why onstart, not a job: see CONFIG_STALE in common.smk
        write_resolved(config, PATHS.config)


rule all:
    input:
        final_outputs(),
        PATHS.table(outputs.RESOURCES),

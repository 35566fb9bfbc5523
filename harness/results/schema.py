"""The columns of a results row. Bump SCHEMA_VERSION on any change, and note it below.

History:
  1 (2026-11): first version.
  2 (2026-11): trimmed mean, MAD and median CI; repetition spread and `unstable`; sampled peak RSS;
     device state before and after; cooldown wait; FLOPs and efficiency; order and extension settings.
  3 (2026-11): the converted file's format and minimum runtime versions, operators, delegation
     (delegated nodes, share, operators left out) and selective-build operator list; numerical parity
     against the source model, and its flag.
  4 (2026-11): phones. execution_mode (process, app or cli); raw_samples (False when a command-line tool
     printed summaries only); PSS after the loop and sampled; per-core governors.
  5 (2026-11): app mode records the APK that ran a cell: app_package and app_version_code.
  6 (2026-11): methodology (issue 19). The median's interval comes from the repetition medians (empty for one
     repetition) and percentiles weigh each repetition equally; repetition_relative_error, which extends a cell
     and flags it unstable, with its setting max_relative_error in place of max_spread (kept for older rows);
     warmup_seconds and the warm-up runs' own times, warmup_samples_ns. percent_of_peak is empty for 8-bit cells.
  7 (2026-11): runtime size. runtime_build_id, runtime_build_kind (full, selective, python-package or app),
     runtime_abi, runtime_binary_bytes and runtime_binary_stripped_bytes (harness/runtime_size.py).
     Older files load with them null.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 7
WARNING_SEPARATOR = "; "  # joins whole notes in `warnings`, so no note may hold it

COLUMNS = pa.schema([
    # identity
    ("schema_version", pa.int32()),
    ("run_id", pa.string()),
    ("cell_id", pa.string()),
    ("device", pa.string()),
    ("platform", pa.string()),
    ("device_model", pa.string()),
    ("model", pa.string()),
    ("model_source", pa.string()),
    ("framework", pa.string()),
    ("runtime", pa.string()),
    ("format", pa.string()),
    ("quantization", pa.string()),
    ("delegate", pa.string()),
    ("threads", pa.int32()),
    ("execution_mode", pa.string()),  # process (host shell), app or cli (a phone)
    # outcome
    ("status", pa.string()),
    ("stage", pa.string()),
    ("error", pa.string()),
    ("warnings", pa.string()),  # "; "-joined; set on ok cells whose numbers need a second look
    ("started_at", pa.timestamp("ms", tz="UTC")),
    ("finished_at", pa.timestamp("ms", tz="UTC")),
    # artifact
    ("converter", pa.string()),
    ("conversion_notes", pa.string()),
    ("conversion_seconds", pa.float64()),
    ("from_cache", pa.bool_()),
    ("model_file_bytes", pa.int64()),
    ("model_sha256", pa.string()),
    ("format_version", pa.string()),  # TFLite schema, ExecuTorch file identifier, lite-interpreter bytecode
    ("min_runtime_version", pa.string()),  # as the TFLite converter records it
    ("operators", pa.list_(pa.string())),  # "NAME vN" for TFLite; kernels outside delegates for .pte
    ("operator_nodes", pa.int64()),
    ("custom_operators", pa.list_(pa.string())),  # TFLite custom and Select TF (Flex) operators
    ("metadata_embedded", pa.bool_()),
    ("operator_list_file", pa.string()),  # the selective-build list for this file, in the artifact cache
    # delegation, for delegates the host can apply (TFLite: XNNPACK or none; .pte: as built)
    ("delegated_nodes", pa.int64()),
    ("delegation_total_nodes", pa.int64()),
    ("delegated_share", pa.float64()),
    ("fallback_operators", pa.list_(pa.string())),
    # numerical parity against the source model on seeded inputs (harness.stats.output_parity)
    ("parity_max_abs_error", pa.float64()),
    ("parity_max_rel_error", pa.float64()),
    ("parity_cosine", pa.float64()),
    ("parity_top1_agreement", pa.float64()),
    ("parity_reference_spread", pa.float64()),
    ("parity_flagged", pa.bool_()),
    # runtime as reported by the shell
    ("shell", pa.string()),
    ("runtime_version", pa.string()),
    ("delegate_applied", pa.string()),
    ("app_package", pa.string()),  # app mode: the APK flavor's package that ran the cell
    ("app_version_code", pa.int64()),  # and its versionCode on the phone
    # the runtime's binaries the cell needed (harness/runtime_size.py; docs/results.md says which files count)
    ("runtime_build_id", pa.string()),
    ("runtime_build_kind", pa.string()),  # full, selective, python-package or app
    ("runtime_abi", pa.string()),
    ("runtime_binary_bytes", pa.int64()),
    ("runtime_binary_stripped_bytes", pa.int64()),
    # raw measurements
    ("latency_samples_ns", pa.list_(pa.int64())),
    ("samples_per_repetition", pa.list_(pa.int32())),
    ("iterations", pa.int64()),
    ("load_samples_ns", pa.list_(pa.int64())),
    ("first_inference_samples_ns", pa.list_(pa.int64())),
    ("warmup_samples_ns", pa.list_(pa.int64())),  # each warm-up run, all repetitions in order
    ("raw_samples", pa.bool_()),  # False: the tool printed only summaries; percentiles are then null
    # statistics, all from harness.stats
    ("latency_p50_ms", pa.float64()),
    ("latency_p90_ms", pa.float64()),
    ("latency_p99_ms", pa.float64()),
    ("latency_mean_ms", pa.float64()),
    ("latency_std_ms", pa.float64()),
    ("latency_min_ms", pa.float64()),
    ("latency_max_ms", pa.float64()),
    ("latency_trimmed_mean_ms", pa.float64()),
    ("latency_mad_ms", pa.float64()),
    ("latency_p50_ci_low_ms", pa.float64()),
    ("latency_p50_ci_high_ms", pa.float64()),
    ("latency_cv", pa.float64()),
    ("model_load_ms", pa.float64()),
    ("first_inference_ms", pa.float64()),
    # stability across repetitions
    ("repetition_medians_ms", pa.list_(pa.float64())),
    ("repetition_spread", pa.float64()),  # (max - min) / median of the repetition medians, descriptive
    ("repetition_relative_error", pa.float64()),  # standard error of their logs: what `unstable` judges
    ("unstable", pa.bool_()),
    # memory, bytes, the worst repetition
    ("rss_before_load_bytes", pa.int64()),
    ("rss_after_load_bytes", pa.int64()),
    ("rss_peak_sampled_bytes", pa.int64()),
    ("peak_rss_bytes", pa.int64()),
    ("pss_bytes", pa.int64()),
    ("pss_peak_sampled_bytes", pa.int64()),
    # device state; phones fill the battery, thermal and screen columns
    ("cpu_affinity", pa.list_(pa.int32())),
    ("cpu_governor", pa.string()),  # cpu0's
    ("cpu_governors", pa.list_(pa.string())),  # per core
    ("cpu_freq_mhz_before", pa.list_(pa.float64())),
    ("cpu_freq_mhz_after", pa.list_(pa.float64())),
    ("load_avg_1m_before", pa.float64()),
    ("load_avg_1m_after", pa.float64()),
    ("temperature_c_before", pa.float64()),
    ("temperature_c_after", pa.float64()),
    ("other_cpu_busy_fraction", pa.float64()),
    ("cooldown_wait_s", pa.float64()),
    ("cooldown_timed_out", pa.bool_()),
    ("battery_level_pct", pa.float64()),
    ("battery_temperature_c", pa.float64()),
    ("battery_charging", pa.bool_()),
    ("thermal_status", pa.string()),
    ("screen_on", pa.bool_()),
    # efficiency
    ("model_flops", pa.int64()),
    ("flops_counter", pa.string()),
    ("peak_gflops_per_s", pa.float64()),
    ("achieved_gflops_per_s", pa.float64()),
    ("percent_of_peak", pa.float64()),
    # measurement settings
    ("warmup_runs", pa.int32()),
    ("warmup_seconds", pa.float64()),
    ("min_iterations", pa.int32()),
    ("min_seconds", pa.float64()),
    ("max_seconds", pa.float64()),
    ("repetitions", pa.int32()),
    ("max_repetitions", pa.int32()),
    ("max_spread", pa.float64()),  # up to schema 4; null since
    ("max_relative_error", pa.float64()),
    ("order", pa.string()),
    ("seed", pa.int64()),
])

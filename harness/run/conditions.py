"""The device's state around a cell: what it read before and after, the cooldown, and other load."""

from __future__ import annotations

from dataclasses import dataclass

from harness.devices.state import DeviceState
from harness.run.outcome import CellOutcome


@dataclass(frozen=True)
class Conditions:
    cpu_affinity: tuple[int, ...] | None
    cooldown_wait_s: float | None
    cooldown_timed_out: bool | None
    other_cpu_busy_fraction: float | None
    before: DeviceState | None
    after: DeviceState | None
    shell_thermal_state: str | None = None  # the iOS app's own reading at the start of the cell's first run

    def columns(self) -> dict:
        before, after = self.before, self.after
        columns: dict[str, object] = {"cpu_affinity": list(self.cpu_affinity) if self.cpu_affinity else None,
                   "cooldown_wait_s": self.cooldown_wait_s, "cooldown_timed_out": self.cooldown_timed_out,
                   "other_cpu_busy_fraction": self.other_cpu_busy_fraction}
        if before is not None:
            columns.update(
                cpu_governor=before.governor, cpu_governors=before.governors, cpu_freq_mhz_before=before.cpu_freq_mhz,
                load_avg_1m_before=before.load_avg_1m, temperature_c_before=before.temperature_c,
                battery_level_pct=before.battery_level_pct, battery_temperature_c=before.battery_temperature_c,
                battery_charging=before.battery_charging, thermal_status=before.thermal_status or self.shell_thermal_state,
                screen_on=before.screen_on)
        if after is not None:
            columns.update(cpu_freq_mhz_after=after.cpu_freq_mhz, load_avg_1m_after=after.load_avg_1m,
                           temperature_c_after=after.temperature_c)
        return columns


def _other_busy(outcome: CellOutcome) -> float | None:
    if not outcome.busy_measured or outcome.total_cpu_seconds <= 0:
        return None
    return min(1.0, max(0.0, outcome.other_busy_seconds / outcome.total_cpu_seconds))


def conditions(outcome: CellOutcome) -> Conditions:
    cooldowns = outcome.cooldowns
    return Conditions(
        cpu_affinity=outcome.cpu_affinity,
        cooldown_wait_s=sum(c.waited_seconds for c in cooldowns) if cooldowns else None,
        cooldown_timed_out=any(c.timed_out for c in cooldowns) if cooldowns else None,
        other_cpu_busy_fraction=_other_busy(outcome), before=outcome.state_before, after=outcome.state_after,
        shell_thermal_state=_shell_thermal_state(outcome))


def _shell_thermal_state(outcome: CellOutcome) -> str | None:
    """A shell that reads the thermal state itself (the iOS app: ProcessInfo.thermalState, which nothing outside
    an app can read) fills thermal_status where the device's state has none."""
    states = [r.shell.get("thermal_state_start") for r in outcome.results if r.shell.get("thermal_state_start")]
    return str(states[0]) if states else None

"""The `cluster:` section of config.yaml: where the Redis of a scale-out cluster is, and its timings.

```yaml
cluster:
  redis: redis://10.0.0.5:6379/0   # `noticewatch daemon` coordinates and `worker` crawls through it
  job_timeout: 15m                  # a crawl still running after this is cancelled (its run recorded as failed)
  lease_ttl: 10s                    # a dead worker's job and its hold on a domain are free again after this
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.config.errors import ConfigError

CLUSTER_KEYS = ("redis", "job_timeout", "lease_ttl")


@dataclass(frozen=True)
class ClusterConfig:
    redis: str | None = None
    job_timeout: float = 900.0
    lease_ttl: float = 10.0


def parse_cluster_config(data: Any, where: str) -> ClusterConfig:
    from monitor.schedule import parse_duration

    if data is None:
        return ClusterConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping with keys {', '.join(CLUSTER_KEYS)}")
    for key in data:
        if key not in CLUSTER_KEYS:
            raise ConfigError(f"{where}: unknown key '{key}' (valid: {', '.join(CLUSTER_KEYS)})")
    redis = data.get("redis")
    if redis is not None and (not isinstance(redis, str) or not redis.startswith(("redis://", "rediss://", "unix://"))):
        raise ConfigError(f"{where}: redis: expected a URL like redis://host:6379/0, got {str(redis)[:60]!r}")
    values: dict[str, Any] = {"redis": redis}
    for key in ("job_timeout", "lease_ttl"):
        if key in data:
            try:
                values[key] = parse_duration(data[key])
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{where}: {key}: {exc}") from None
            if values[key] <= 0:
                raise ConfigError(f"{where}: {key}: must be more than 0 s")
    return ClusterConfig(**values)

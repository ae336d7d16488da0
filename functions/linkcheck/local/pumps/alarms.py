"""The template's dead-letter alarms, evaluated locally (``QueueAlarmPump``).

In AWS a CloudWatch alarm on a queue's ``ApproximateNumberOfMessagesVisible`` pages the
operator (``OpsTopic``) when a dead-letter queue fills. Locally there is no CloudWatch: this
pump reads those alarms from the template (name, queue, threshold, comparison) and checks the
queues every few seconds; an alarm going off, or back to OK, prints one ``[ops]`` line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CHECK_EVERY_SECONDS = 2.0
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
}


@dataclass(frozen=True, slots=True)
class QueueAlarm:
    name: str  # the alarm's logical id
    queue: str  # the logical id of the queue it watches
    threshold: float
    comparison: str
    description: str = ""

    def breached(self, visible: int) -> bool:
        return COMPARISONS[self.comparison](float(visible), self.threshold)


def queue_alarms(template: dict[str, Any]) -> list[QueueAlarm]:
    """The template's alarms on a queue's visible messages (the dead-letter queues')."""
    alarms = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::CloudWatch::Alarm":
            continue
        props = resource.get("Properties", {})
        if props.get("Namespace") != "AWS/SQS" or (
            props.get("MetricName") != "ApproximateNumberOfMessagesVisible"
        ):
            continue
        if props.get("ComparisonOperator") not in COMPARISONS:
            continue
        for dimension in props.get("Dimensions", []):
            value = dimension.get("Value")
            if dimension.get("Name") == "QueueName" and isinstance(value, dict):
                target = value.get("Fn::GetAtt")
                queue = target[0] if isinstance(target, list) else str(target).split(".")[0]
                alarms.append(
                    QueueAlarm(
                        name=logical_id,
                        queue=queue,
                        threshold=float(props.get("Threshold", 0)),
                        comparison=str(props["ComparisonOperator"]),
                        description=str(props.get("AlarmDescription", "")),
                    )
                )
    return alarms


class QueueAlarmPump:
    """Checks each alarm's queue; prints ``[ops] ALARM ...`` / ``[ops] OK ...`` on a change."""

    def __init__(
        self,
        *,
        sqs: Any,
        alarms: list[QueueAlarm],
        queue_urls: dict[str, str],
        on_change: Callable[[str], None],
        every: float = CHECK_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = "dead-letter alarms -> console"
        self.sqs = sqs
        self.alarms = [a for a in alarms if a.queue in queue_urls]
        self.queue_urls = queue_urls
        self.on_change = on_change
        self.every = every
        self.clock = clock
        self.lock = threading.Lock()
        self.firing: set[str] = set()
        self.fired: list[str] = []  # every alarm that went off, in order (tests read it)
        self._next = 0.0

    def check(self) -> list[str]:
        """Evaluate every alarm now; the lines printed."""
        lines = []
        with self.lock:
            for alarm in self.alarms:
                url = self.queue_urls[alarm.queue]
                attributes = self.sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
                )["Attributes"]
                visible = int(attributes.get("ApproximateNumberOfMessages", 0))
                queue_name = url.rsplit("/", 1)[-1]
                if alarm.breached(visible) and alarm.name not in self.firing:
                    self.firing.add(alarm.name)
                    self.fired.append(alarm.name)
                    lines.append(
                        f"[ops] ALARM {alarm.name}: {visible} message(s) in {queue_name}. "
                        f"{alarm.description}"
                    )
                elif not alarm.breached(visible) and alarm.name in self.firing:
                    self.firing.discard(alarm.name)
                    lines.append(f"[ops] OK {alarm.name}: {queue_name} is back to {visible}")
        for line in lines:
            self.on_change(line)
        return lines

    def pump_once(self, wait_seconds: int = 0) -> int:
        now = self.clock()
        if now < self._next:
            if wait_seconds:
                time.sleep(min(wait_seconds, self._next - now))
            return 0
        self._next = now + self.every
        self.check()
        return 0  # never counts as handled records: draining does not loop on it

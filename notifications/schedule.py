"""When a message may go: quiet hours and the backoff between attempts."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def _parse(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(channel: str, now: datetime | None = None) -> datetime | None:
    """The end of the quiet hours ``now`` falls in, for a channel they hold (SMS, WhatsApp);
    None when the message may go now. Local time (Asia/Kolkata) decides."""
    if channel not in settings.NOTIFY_QUIET_CHANNELS:
        return None
    start, end = _parse(settings.NOTIFY_QUIET_START), _parse(settings.NOTIFY_QUIET_END)
    if start == end:
        return None
    local = timezone.localtime(now or timezone.now())
    clock = local.time()
    if start < end:  # a quiet stretch within one day, e.g. 13:00–15:00
        quiet = start <= clock < end
        end_day = local.date()
    else:  # across midnight, e.g. 21:00–08:00
        quiet = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return None
    return timezone.make_aware(datetime.combine(end_day, end), local.tzinfo)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after ``attempts`` failed tries, capped below the broker's
    visibility timeout (a send task never waits in Redis longer than that anyway: a retry
    is a row that dispatch picks up)."""
    seconds = settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))

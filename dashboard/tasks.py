from celery import shared_task

from .rollups import figures_refresh


@shared_task(name="dashboard.tasks.refresh_figures")
def refresh_figures() -> str:
    """Apply the changes since the last run to the dashboard's roll-ups (beat, every
    DASHBOARD_FIGURES_REFRESH_MINUTES)."""
    return figures_refresh().isoformat()

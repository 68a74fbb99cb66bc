"""The workbook edition: the chapters with every exercise's solution taken out.

``python -m bp_lib.book.workbook`` (``make workbook``) writes ``_build/workbook/``:
each chapter notebook, outputs cleared, with every solution replaced, a copy of
``bp_lib`` and a README, and ``_build/workbook.zip`` of that folder.

What is a solution is marked in the chapters by sphinx-exercise's gated directives:
everything between ``{solution-start}`` and ``{solution-end}``. In the workbook

- prose or math of a solution becomes one empty "your answer" markdown cell;
- a solution code cell is split into a *stub* cell and a *checker* cell. A function
  the exercise names or the cell hands to a checker (``check_*``) keeps its
  signature and docstring, and its body becomes a ``# TODO`` comment and
  ``raise NotImplementedError``. The checker calls and the ``print`` of their
  feedback go to the checker cell, with the imports; the asserts that make the
  book's CI fail on a wrong solution, and demonstrations of wrong answers, are
  dropped, so an unanswered checker prints "not written yet" instead of failing;
- any other code of a solution (a measurement, a comparison) is dropped, and an
  empty "your code" cell stands in for it.

Every generated cell carries a tag (:data:`TAGS`), which the tests read. The
*solved* edition (``solved=True``) has the same cells with the book's code back
in the stubs' place: with it, every checker must pass.

A cell of a chapter tagged ``workbook-link`` (the link to this edition) is dropped.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import shutil
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAGS = {
    "stub": "workbook-stub",
    "checker": "workbook-checker",
    "answer": "workbook-answer",
    "code": "workbook-code",
    "intro": "workbook-intro",
}
LINK_TAG = "workbook-link"
CHECKER_PREFIX = "check_"
DIRECTIVE = re.compile(
    r"^```\{(?P<name>exercise-start|exercise-end|solution-start|solution-end)\}"
    r"(?P<argument>[^\n]*)\n(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)```[ \t]*(?:\n|$)",
    re.M,
)
LABEL = re.compile(r":label:\s*(\S+)")
RETURNS = re.compile(r"return(?:s|ing)\s+(`[^`]+`)")
WIDTH = 88  # the book's code column


class WorkbookError(ValueError):
    """The chapter's exercises cannot be turned into a workbook as they are written."""


@dataclass
class Exercise:
    """One exercise of a chapter and what the workbook made of its solution."""

    label: str
    text: str = ""
    stubs: list[str] = field(default_factory=list)
    checkers: int = 0
    prose: bool = False
    code_cells: int = 0
    dropped_code: bool = False


@dataclass
class Chapter:
    """A workbook notebook and the exercises it holds."""

    name: str
    notebook: dict
    exercises: list[Exercise]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _cell(kind: str, source: str, cell_id: str, tag: str | None = None) -> dict:
    cell = {
        "cell_type": kind,
        "id": cell_id[:64],
        "metadata": {"tags": [tag]} if tag else {},
        "source": source,
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _segment(source: str, node: ast.stmt) -> str:
    """The source lines of a statement, decorators and comments on them included."""
    lines = source.splitlines()
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return "\n".join(lines[first - 1 : node.end_lineno])


def _todo(name: str, exercise: Exercise) -> str:
    """The comment of a stub: what to write, in the exercise's words if it has them."""
    text = f"write the body of {name}, as exercise {exercise.label} asks"
    for sentence in re.split(r"(?<=[.:])\s+", " ".join(exercise.text.split())):
        if f"`{name}(" in sentence:
            returned = RETURNS.search(sentence[sentence.index(f"`{name}(") :])
            if returned:
                text += f"; it returns {returned.group(1).strip('`')}"
            break
    text += ". Then run the checker cell below."
    return textwrap.fill(
        "TODO: " + text,
        WIDTH,
        initial_indent="    # ",
        subsequent_indent="    # ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _stub(source: str, node: ast.FunctionDef, exercise: Exercise) -> str:
    """``node`` with its signature and docstring, and a body that is not written yet."""
    lines = source.splitlines()
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    body = node.body
    has_docstring = (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )
    header_end = body[0].end_lineno if has_docstring else body[0].lineno - 1
    header = lines[first - 1 : header_end]
    if body[0].lineno == node.lineno:  # ``def f(x): return x``: cut before the body
        header = [lines[node.lineno - 1][: body[0].col_offset].rstrip()]
    return "\n".join(
        header + [_todo(node.name, exercise), "    raise NotImplementedError"]
    )


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _checker_call(node: ast.AST) -> ast.Call | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith(CHECKER_PREFIX)
    ):
        return node
    return None


def _calls_checker(node: ast.AST) -> bool:
    return any(_checker_call(n) for n in ast.walk(node))


def _argument_names(call: ast.Call) -> set[str]:
    arguments = list(call.args) + [k.value for k in call.keywords]
    return {a.id for a in arguments if isinstance(a, ast.Name)}


def _expected_to_fail(tree: ast.AST) -> set[str]:
    """Names ``x`` of ``assert not x.passed ...``: feedback on a wrong answer."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            for sub in ast.walk(node.test):
                if (
                    isinstance(sub, ast.UnaryOp)
                    and isinstance(sub.op, ast.Not)
                    and isinstance(sub.operand, ast.Attribute)
                    and sub.operand.attr == "passed"
                    and isinstance(sub.operand.value, ast.Name)
                ):
                    names.add(sub.operand.value.id)
    return names


def _checks_only(call: ast.Call, stubbed: set[str]) -> bool:
    """True if ``call`` hands the checker the reader's functions and nothing else."""
    arguments = list(call.args) + [k.value for k in call.keywords]
    return bool(arguments) and all(
        isinstance(a, ast.Name) and a.id in stubbed for a in arguments
    )


@dataclass
class _SplitCode:
    """One solution code cell, sorted into what each edition keeps."""

    imports: list[str] = field(default_factory=list)
    defs: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)
    stub_names: list[str] = field(default_factory=list)
    checkers: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)  # the solved edition's
    rest_is_work: bool = False  # something beyond asserts and demonstrations


def _names_in_text(text: str) -> set[str]:
    return set(re.findall(r"`([A-Za-z_]\w*)\(", text))


def split_solution_code(source: str, exercise: Exercise) -> _SplitCode:
    """Sort the statements of a solution code cell (see the module docstring)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise WorkbookError(
            f"exercise {exercise.label}: a solution cell is not plain Python: {error}"
        ) from error
    failing = _expected_to_fail(tree)
    checked, demonstrated = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (call := _checker_call(node.value)):
            targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
            names = _argument_names(call)
            (demonstrated if targets & failing else checked).update(names)
        elif (call := _checker_call(node)) is not None:
            checked.update(_argument_names(call))
    wanted = (checked - demonstrated) | _names_in_text(exercise.text)
    stubbed = {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name in wanted
    }
    stubbed |= set(exercise.stubs)  # stubbed in an earlier cell of the solution
    split, feedback_names, demo_names = _SplitCode(), set(), set()
    for node in tree.body:
        text = _segment(source, node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            split.imports.append(text)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            node.name in stubbed
        ):
            split.defs.append(text)
            split.stubs.append(_stub(source, node, exercise))
            split.stub_names.append(node.name)
        elif _is_checker_statement(node, stubbed, feedback_names):
            split.checkers.append(text)
            if isinstance(node, ast.Assign):
                targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
                feedback_names |= targets
                demo_names -= targets
        else:
            split.rest.append(text)
            if isinstance(node, ast.FunctionDef) and node.name in demonstrated:
                continue
            if isinstance(node, ast.Assign) and _calls_checker(node):
                targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
                demo_names |= targets
                feedback_names -= targets
            elif not (
                isinstance(node, ast.Assert)
                or _calls_checker(node)
                or _names_in(node) & demo_names
            ):
                split.rest_is_work = True
    return split


def _is_checker_statement(
    node: ast.stmt, stubbed: set[str], feedback: set[str]
) -> bool:
    """``feedback = check_x(f)``, ``print(feedback)`` or ``print(check_x(f))``."""
    if isinstance(node, ast.Assign):
        call = _checker_call(node.value)
        return call is not None and _checks_only(call, stubbed)
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return False
    call = node.value
    if not (isinstance(call.func, ast.Name) and call.func.id == "print"):
        return False
    if len(call.args) != 1 or call.keywords:
        return False
    (argument,) = call.args
    if isinstance(argument, ast.Name):
        return argument.id in feedback
    inner = _checker_call(argument)
    return inner is not None and _checks_only(inner, stubbed)


def _solution_cells(
    exercise: Exercise,
    prose: list[str],
    code: list[tuple[str, str]],
    solved: bool,
) -> list[dict]:
    """The cells that stand in the workbook where the solution stood."""
    cells, rest, label = [], [], exercise.label
    if any(p.strip() for p in prose):
        exercise.prose = True
        text = (
            f"**Your answer** to exercise `{label}`: write it here (double-click\n"
            "this cell). The book has a solution under the exercise."
        )
        if solved:
            text = "\n\n".join(p.strip() for p in prose if p.strip())
        cells.append(_cell("markdown", text, f"{label}-answer", TAGS["answer"]))
    for source, cell_id in code:
        split = split_solution_code(source, exercise)
        exercise.code_cells += 1
        exercise.stubs += split.stub_names
        exercise.checkers += bool(split.checkers)
        exercise.dropped_code |= split.rest_is_work
        functions = "\n\n\n".join(split.defs if solved else split.stubs)
        imports = "\n".join(split.imports)
        if split.checkers:
            checker = "\n\n".join(filter(None, [imports, "\n".join(split.checkers)]))
            imports = ""
        if not functions:  # a solution's own imports (its tools) are solution too
            rest += [imports] if solved and imports else []
            imports = ""
        stub = "\n\n\n".join(filter(None, [imports, functions]))
        if stub:
            cells.append(_cell("code", stub, f"{cell_id}-stub", TAGS["stub"]))
        if split.checkers:
            cells.append(_cell("code", checker, f"{cell_id}-check", TAGS["checker"]))
        rest += split.rest if solved else []
    if exercise.dropped_code and not solved:
        rest = [
            f"# Your code for exercise {label}: the book's solution computes or "
            "checks\n# its answer in code here."
        ]
    if rest:
        cells.append(_cell("code", "\n\n".join(rest), f"{label}-code", TAGS["code"]))
    return cells


def _tokens(source: str):
    """``(text, None)`` and ``(directive text, match)`` pieces of a markdown cell."""
    position = 0
    for match in DIRECTIVE.finditer(source):
        yield source[position : match.start()], None
        yield match.group(0), match
        position = match.end()
    yield source[position:], None


INTRO = """**Workbook edition.** Each exercise's solution in this notebook is
replaced: a function to write is a stub that raises `NotImplementedError`, with a
checker cell under it that prints what is wrong (or "not written yet") until your
answer passes; a question answered in words has an empty "Your answer" cell. Run the
notebook from the top so that the cells your answer depends on have run. The
solutions are in the book, under each exercise."""


class _Editor:
    """Walks a chapter's cells once, writing the workbook's cells as it goes."""

    def __init__(self, solved: bool):
        self.solved = solved
        self.cells: list[dict] = []
        self.exercises: list[Exercise] = []
        self.state = "outside"
        self.prose: list[str] = []
        self.code: list[tuple[str, str]] = []

    def other_cell(self, cell: dict, cell_id: str) -> None:
        """A code or raw cell: the solution's, or kept with its outputs cleared."""
        if self.state == "solution":
            if cell["cell_type"] == "code":
                self.code.append((_source(cell), cell_id))
            return
        kept = copy.deepcopy(cell)
        if kept["cell_type"] == "code":
            kept.update(execution_count=None, outputs=[])
        self.cells.append(kept)

    def markdown_cell(self, cell: dict, cell_id: str) -> None:
        """A markdown cell, cut where a solution starts and resumed where it ends."""
        kept_parts: list[list[str]] = [[]]
        for text, directive in _tokens(_source(cell)):
            if directive is None:
                if self.state == "solution":
                    self.prose.append(text)
                else:
                    kept_parts[-1].append(text)
                    if self.state == "exercise":
                        self.exercises[-1].text += text
                continue
            directive_name = directive.group("name")
            exercise = self.exercises[-1] if self.exercises else None
            self.state = _next_state(self.state, directive_name, directive, exercise)
            if directive_name == "exercise-start":
                label = LABEL.search(directive.group("options") or "")
                if label is None:
                    raise WorkbookError("{exercise-start} without a :label:")
                self.exercises.append(Exercise(label.group(1)))
            if directive_name.startswith("exercise"):
                kept_parts[-1].append(text)
            elif directive_name == "solution-end":
                self._keep(cell, cell_id, kept_parts)
                self.cells += _solution_cells(
                    exercise, self.prose, self.code, self.solved
                )
                self.prose, self.code = [], []
                kept_parts.append([])
        self._keep(cell, cell_id, kept_parts)

    def _keep(self, cell: dict, cell_id: str, parts: list[list[str]]) -> None:
        text = "".join(parts[-1]).strip("\n")
        if text.strip():
            kept = copy.deepcopy(cell)
            kept["source"] = text
            kept["id"] = cell_id if len(parts) == 1 else f"{cell_id}-{len(parts)}"
            self.cells.append(kept)
        parts[-1] = []


def make_chapter(notebook: dict, name: str, solved: bool = False) -> Chapter:
    """The workbook edition of one chapter notebook (a dict in nbformat 4)."""
    editor = _Editor(solved)
    for index, cell in enumerate(notebook["cells"]):
        cell_id = cell.get("id") or f"cell-{index}"
        if LINK_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        if cell["cell_type"] == "markdown":
            editor.markdown_cell(cell, cell_id)
        else:
            editor.other_cell(cell, cell_id)
    if editor.state != "outside":
        raise WorkbookError(f"{name}: the notebook ends inside an {editor.state}")
    cells = editor.cells
    if editor.exercises:
        cells.insert(1, _cell("markdown", INTRO, "workbook-intro", TAGS["intro"]))
    result = copy.deepcopy({k: v for k, v in notebook.items() if k != "cells"})
    result.update(cells=cells, nbformat=4)
    result["nbformat_minor"] = max(5, notebook.get("nbformat_minor", 5))
    return Chapter(name, result, editor.exercises)


def _next_state(state: str, name: str, directive, exercise: Exercise | None) -> str:
    """The parser's state after a directive; an error for a directive out of place."""
    transitions = {
        ("outside", "exercise-start"): "exercise",
        ("exercise", "exercise-end"): "outside",
        ("outside", "solution-start"): "solution",
        ("solution", "solution-end"): "outside",
    }
    if (state, name) not in transitions:
        raise WorkbookError(f"{{{name}}} inside an {state}: the directives do not pair")
    if name == "solution-start":
        argument = directive.group("argument").strip()
        if exercise is None or argument != exercise.label:
            raise WorkbookError(
                f"{{solution-start}} {argument} does not follow its exercise "
                f"(the last exercise is {exercise.label if exercise else 'none'})"
            )
    return transitions[state, name]


README = """# The workbook of *Backpropagation, Derived and Verified*

Every chapter of the book as a notebook, with the exercises' solutions taken out.

## How to work through these

1. Install once, in a fresh virtual environment:
   `python -m pip install numpy matplotlib scikit-learn jupyterlab jupyterlab-myst`
   (`jupyterlab-myst` renders the exercises, equations and notes as the book does).
2. Start JupyterLab **in this folder** (`jupyter lab`), so that `import bp_lib` finds
   the copy of the book's package that sits beside the notebooks.
3. Open a chapter and run it from the top (*Run > Run All Cells*). It runs to the
   end as handed out: every exercise still to do prints its checker's feedback,
   "... is not written yet: replace the `raise NotImplementedError`".
4. For an exercise that asks for a function, replace the `# TODO` and the
   `raise NotImplementedError` of its stub with your code, run the stub cell, then
   the checker cell under it. The checker runs your function on random inputs
   against a reference and, when it is wrong, names the likely mistake ("dW is
   transposed", "the ReLU mask is taken from dA"). Repeat until it prints `PASS`.
5. For a question answered in words or math, write in the "Your answer" cell; where
   an exercise asks you to measure or compare, an empty code cell is there for it.

## For instructors

Hand out this folder (or the zip it came in) as it is: it holds the notebooks, this
README and `bp_lib`, and needs nothing else. Students check their own answers with
the checker cells, which import from `bp_lib.exercises`; a grader can call the same
checkers (each returns a `Feedback` whose `passed` is True or False). The solutions
are in the book, in the dropdown under each exercise; this folder has none of them.

Generated by `make workbook` (`python -m bp_lib.book.workbook`) from the book's
chapters; the generator's rules are in the docstring of `bp_lib/book/workbook.py`.
"""


def build(
    root: Path = ROOT, out: Path | None = None, solved: bool = False
) -> list[Chapter]:
    """Write the workbook of the chapters under ``root`` into ``out``; the chapters.

    ``out`` (default ``root/_build/workbook``) is replaced. It receives every
    notebook of ``root/chapters``, ``README.md`` and a copy of ``bp_lib``.
    """
    out = Path(out) if out is not None else root / "_build" / "workbook"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    chapters = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        chapter = make_chapter(notebook, path.name, solved=solved)
        text = json.dumps(chapter.notebook, indent=1, ensure_ascii=False) + "\n"
        (out / path.name).write_text(text, encoding="utf-8")
        chapters.append(chapter)
    shutil.copytree(
        root / "bp_lib",
        out / "bp_lib",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "ruff.toml"),
    )
    (out / "README.md").write_text(README, encoding="utf-8")
    return chapters


def write_zip(folder: Path, target: Path) -> Path:
    """Zip ``folder`` into ``target``, its files under one top folder ``workbook/``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path("workbook") / path.relative_to(folder))
    return target


def summary(chapters: list[Chapter]) -> str:
    """A table of what the workbook holds, one row per chapter.

    Exercises, functions stubbed, checker cells, answer cells (prose or math) and
    code cells (a solution's other code) left to write.
    """
    rows = ["chapter                       exercises  stubs  checkers  answers  code"]
    for c in chapters:
        counts = (
            len(c.exercises),
            sum(len(e.stubs) for e in c.exercises),
            sum(e.checkers for e in c.exercises),
            sum(e.prose for e in c.exercises),
            sum(e.dropped_code for e in c.exercises),
        )
        rows.append(
            f"{c.name:<30}"
            + "".join(f"{n:>{w}}" for n, w in zip(counts, (9, 7, 10, 9, 6)))
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    """``python -m bp_lib.book.workbook [--root R] [--out O] [--zip Z] [--solved]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's folder")
    parser.add_argument("--out", type=Path, help="default: ROOT/_build/workbook")
    parser.add_argument("--zip", type=Path, help="default: OUT.zip beside OUT")
    parser.add_argument(
        "--solved", action="store_true", help="put the solutions back (for testing)"
    )
    args = parser.parse_args(argv)
    out = args.out or args.root / "_build" / "workbook"
    chapters = build(args.root, out, solved=args.solved)
    archive = write_zip(out, args.zip or out.with_suffix(".zip"))
    print(summary(chapters))
    print(f"\nThe workbook is in {out}, zipped in {archive}")


if __name__ == "__main__":
    main()

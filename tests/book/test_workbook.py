"""The workbook edition (bp_lib.book.workbook): what it takes out, what it keeps, and
that it runs as handed out.

The two slow tests execute the workbook notebooks with nbclient. Unanswered, as handed
out, every notebook runs top to bottom (every cell), no cell may fail and every checker
of a stubbed function must print "not written yet". With the book's solutions put back
(the solved edition), every checker must pass; that run keeps ``make test`` short by
running, of each notebook, the cells from the first exercise on and the earlier cells
those depend on (:func:`exercise_slice`; the earlier cells are the chapter's own, which
the unanswered run and nbval both run whole). ``WORKBOOK_FULL=1`` runs it whole too.
"""

from __future__ import annotations

import ast
import json
import os
import re
import symtable
import time
import zipfile
from pathlib import Path

import pytest

from bp_lib.book import workbook as wb

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
NOT_WRITTEN = "is not written yet: replace the `raise NotImplementedError`"


def _source(cell: dict) -> str:
    return wb._source(cell)


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _notebook(*cells: tuple[str, str]) -> dict:
    """A small notebook from (kind, source) pairs."""
    return {
        "cells": [wb._cell(kind, source, f"c{i}") for i, (kind, source) in enumerate(cells)],
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


EXERCISE = "```{exercise-start}\n:label: ex-t\n```\nWrite `double(x)` returning `2 x`.\n```{exercise-end}\n```"
SOLUTION_START = "```{solution-start} ex-t\n:class: dropdown\n```"
SOLUTION_CODE = '''from bp_lib.exercises.fake import check_double


def double(x):
    """Twice x."""
    return 2 * x


feedback = check_double(double)
print(feedback)
assert feedback.passed
print(check_double(lambda x: 3 * x))
measured = double(4)
print(measured)'''


def _chapter(solved=False, *extra):
    notebook = _notebook(
        ("markdown", "# Title"),
        ("markdown", EXERCISE),
        ("markdown", SOLUTION_START + "\nThe factor is 2."),
        ("code", SOLUTION_CODE),
        ("markdown", "```{solution-end}\n```\n\nText after the solution."),
        *extra,
    )
    return wb.make_chapter(notebook, "t.ipynb", solved=solved)


# --- the generator on small notebooks -------------------------------------------------


def test_a_function_and_its_checker_in_one_cell_are_split_into_stub_and_checker():
    chapter = _chapter()
    by_tag = {tag: [c for c in chapter.notebook["cells"] if tag in _tags(c)] for tag in wb.TAGS.values()}
    [stub] = by_tag["workbook-stub"]
    [checker] = by_tag["workbook-checker"]
    tree = ast.parse(_source(stub))
    [function] = tree.body
    assert function.name == "double" and [a.arg for a in function.args.args] == ["x"]
    assert ast.get_docstring(function) == "Twice x."
    assert isinstance(function.body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(function.body[-1])
    assert "# TODO: write the body of double, as exercise ex-t asks; it returns 2 x." in _source(stub)
    assert "return 2 * x" not in json.dumps(chapter.notebook)
    assert _source(checker) == (
        "from bp_lib.exercises.fake import check_double\n\nfeedback = check_double(double)\nprint(feedback)"
    )


def test_asserts_demonstrations_and_other_solution_code_are_taken_out():
    text = json.dumps(_chapter().notebook)
    for solution_only in ("assert feedback.passed", "lambda x: 3 * x", "measured = double(4)", "The factor is 2."):
        assert solution_only not in text
    [answer] = [c for c in _chapter().notebook["cells"] if "workbook-answer" in _tags(c)]
    assert "**Your answer** to exercise `ex-t`" in _source(answer)
    [code] = [c for c in _chapter().notebook["cells"] if "workbook-code" in _tags(c)]
    assert _source(code).startswith("# Your code for exercise ex-t")


def test_text_after_the_solution_end_stays_after_the_generated_cells():
    cells = _chapter().notebook["cells"]
    sources = [_source(c) for c in cells]
    after = sources.index("Text after the solution.")
    generated = [i for i, c in enumerate(cells) if set(_tags(c)) & set(wb.TAGS.values()) - {"workbook-intro"}]
    assert generated and max(generated) < after
    assert EXERCISE in sources, "the exercise's statement, directives included, is kept"
    assert not any("solution-start" in s or "solution-end" in s for s in sources)


def test_the_solved_edition_puts_the_solution_back_in_the_same_place():
    cells = _chapter(True).notebook["cells"]
    [stub] = [c for c in cells if "workbook-stub" in _tags(c)]
    assert "return 2 * x" in _source(stub) and "NotImplementedError" not in _source(stub)
    [code] = [c for c in cells if "workbook-code" in _tags(c)]
    assert "assert feedback.passed" in _source(code) and "measured = double(4)" in _source(code)


def test_cells_outside_solutions_keep_their_source_and_lose_their_outputs():
    cell = wb._cell("code", "x = 1\nprint(x)", "kept")
    cell.update(execution_count=3, outputs=[{"output_type": "stream", "name": "stdout", "text": "1\n"}])
    notebook = _notebook(("markdown", "# T"))
    notebook["cells"].append(cell)
    [_, kept] = wb.make_chapter(notebook, "t.ipynb").notebook["cells"]
    assert kept["source"] == "x = 1\nprint(x)" and kept["outputs"] == [] and kept["execution_count"] is None


def test_the_imports_of_a_solution_without_a_function_or_a_checker_are_taken_out():
    notebook = _notebook(
        ("markdown", EXERCISE + "\n\n" + SOLUTION_START),
        ("code", "from bp_lib.book.digits import width_scan\n\nscan = width_scan()"),
        ("markdown", "```{solution-end}\n```"),
    )
    cells = wb.make_chapter(notebook, "t.ipynb").notebook["cells"]
    assert "width_scan" not in json.dumps(cells)
    assert [_tags(c) for c in cells[2:]] == [["workbook-code"]]


def test_a_checker_call_in_the_next_cell_of_the_solution_is_kept():
    notebook = _notebook(
        ("markdown", EXERCISE + "\n\n" + SOLUTION_START),
        ("code", "def double(x):\n    return 2 * x"),
        ("code", "feedback = check_double(double)\nprint(feedback)\nassert feedback.passed"),
        ("markdown", "```{solution-end}\n```"),
    )
    cells = wb.make_chapter(notebook, "t.ipynb").notebook["cells"]
    assert [(_tags(c), _source(c).splitlines()[0]) for c in cells[2:]] == [
        (["workbook-stub"], "def double(x):"),
        (["workbook-checker"], "feedback = check_double(double)"),
    ]


def test_a_one_line_function_is_stubbed_too():
    notebook = _notebook(
        ("markdown", EXERCISE + "\n\n" + SOLUTION_START),
        ("code", "def double(x): return 2 * x\n\n\nprint(check_double(double))"),
        ("markdown", "```{solution-end}\n```"),
    )
    cells = wb.make_chapter(notebook, "t.ipynb").notebook["cells"]
    [stub] = [c for c in cells if "workbook-stub" in _tags(c)]
    assert _source(stub).splitlines()[0] == "def double(x):" and "2 * x" not in _source(stub)
    [checker] = [c for c in cells if "workbook-checker" in _tags(c)]
    assert _source(checker) == "print(check_double(double))"


@pytest.mark.parametrize(
    "cells, words",
    [
        ([("markdown", SOLUTION_START)], "does not follow its exercise"),
        ([("markdown", EXERCISE.replace("```{exercise-end}\n```", ""))], "ends inside an exercise"),
        ([("markdown", EXERCISE + "\n" + SOLUTION_START.replace("ex-t", "ex-other"))], "does not follow"),
        ([("markdown", EXERCISE + "\n```{solution-end}\n```")], "do not pair"),
        ([("markdown", "```{exercise-start}\n```\ntext\n```{exercise-end}\n```")], "without a :label:"),
        (
            [
                ("markdown", EXERCISE + "\n" + SOLUTION_START),
                ("code", "def f(:\n"),
                ("markdown", "```{solution-end}\n```"),
            ],
            "not plain Python",
        ),
    ],
)
def test_a_badly_marked_exercise_is_an_error_not_a_guess(cells, words):
    with pytest.raises(wb.WorkbookError, match=re.escape(words)):
        wb.make_chapter(_notebook(*cells), "t.ipynb")


def test_a_chapter_cell_tagged_workbook_link_is_dropped():
    notebook = _notebook(("markdown", "# T"), ("markdown", "[workbook](../workbook.zip)"))
    notebook["cells"][1]["metadata"]["tags"] = [wb.LINK_TAG]
    assert [_source(c) for c in wb.make_chapter(notebook, "t.ipynb").notebook["cells"]] == ["# T"]


# --- the generator on the book's chapters ----------------------------------------------


def _solution_code_cells(notebook: dict, solutions: bool = True):
    """(exercise text, code) of every code cell between solution-start and solution-end
    (or of every other code cell), found by reading the directives, independently of
    the generator."""
    state, text = "outside", ""
    for cell in notebook["cells"]:
        source = _source(cell)
        if cell["cell_type"] == "code":
            if (state == "solution") == solutions:
                yield text, source
            continue
        for match in re.finditer(r"```\{(exercise-start|solution-start|solution-end)\}", source):
            if match.group(1) == "exercise-start":
                text = source[match.start() :]
            state = "solution" if match.group(1) == "solution-start" else "outside"


def _functions_to_write(exercise_text: str, code: str) -> set[str]:
    """Functions of a solution cell that the exercise names, or that a checker is
    handed and expected to pass (not a wrong answer shown with ``assert not x.passed``)."""
    tree = ast.parse(code)
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    shown_failing = set(re.findall(r"assert not (\w+)\.passed", code))
    checked = {
        a.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) or isinstance(n, ast.Expr)
        for call in [n.value]
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        for inner in [call if call.func.id.startswith("check_") else (call.args or [None])[0]]
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id.startswith("check_")
        if not (isinstance(n, ast.Assign) and {t.id for t in n.targets if isinstance(t, ast.Name)} & shown_failing)
        for a in inner.args
        if isinstance(a, ast.Name)
    }
    named = set(re.findall(r"`(\w+)\(", exercise_text))
    return defined & (checked | named)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The workbook and the solved edition, written as `make workbook` writes them."""
    folder = tmp_path_factory.mktemp("editions")
    chapters = wb.build(ROOT, folder / "workbook")
    solved = wb.build(ROOT, folder / "solved", solved=True)
    return folder, chapters, solved


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_exercise_of_the_chapter_is_in_the_workbook(path, built):
    folder, chapters, _ = built
    text = path.read_text()
    [chapter] = [c for c in chapters if c.name == path.name]
    labels = re.findall(r":label: (ex-[\w-]+)", text)
    assert [e.label for e in chapter.exercises] == labels
    assert text.count("{solution-start}") == len(labels), f"{path.name}: an exercise without a solution"
    written = (folder / "workbook" / path.name).read_text()
    assert written.count("{exercise-start}") == len(labels) and "{solution-start}" not in written


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_code_solution_is_a_stub_and_none_of_it_is_left(path, built):
    """A function an exercise asks for becomes a stub; no line of any solution's code
    (beyond imports, signatures and checker calls) is left in the workbook."""
    folder, _, _ = built
    workbook = json.loads((folder / "workbook" / path.name).read_text())
    stubs = {}
    for cell in workbook["cells"]:
        if "workbook-stub" in _tags(cell):
            for node in ast.parse(_source(cell)).body:
                if isinstance(node, ast.FunctionDef):
                    stubs.setdefault(node.name, []).append(node)
    workbook_code = "\n".join(_source(c) for c in workbook["cells"] if c["cell_type"] == "code")
    book = json.loads(path.read_text())
    elsewhere = "\n".join(code for _, code in _solution_code_cells(book, solutions=False))
    kept_lines = {line.strip() for line in workbook_code.splitlines()}
    kept_lines -= {line.strip() for line in elsewhere.splitlines()}  # e.g. shared with a wrong answer
    for exercise_text, code in _solution_code_cells(book):
        for name in _functions_to_write(exercise_text, code):
            assert name in stubs, f"{path.name}: the solution's {name} is not stubbed"
            for stub in stubs[name]:
                body = [n for n in stub.body if not isinstance(n, ast.Expr)]
                assert len(body) == 1 and "NotImplementedError" in ast.unparse(body[0]), f"{name} is not a stub"
        for line in code.splitlines():
            line = line.strip()
            if not line or line.startswith(("def ", "from ", "import ", "#", "feedback = check_", "print(feedback)")):
                continue
            if len(line) > 12 and not line.startswith(("return", ")", "]")):
                assert line not in kept_lines, f"{path.name}: solution code left in the workbook: {line}"


def test_chapter_3_in_the_workbook_is_what_the_issue_asks_for(built):
    """One chapter read in full: a stub for dense_backward, its checker, two answer cells."""
    folder, chapters, _ = built
    [chapter] = [c for c in chapters if c.name == "03_dense_layer.ipynb"]
    assert [(e.label, e.stubs, e.prose) for e in chapter.exercises] == [
        ("ex-ch03-backward", ["dense_backward"], False),
        ("ex-ch03-no-bias", [], True),
        ("ex-ch03-cost", [], True),
    ]
    cells = json.loads((folder / "workbook" / "03_dense_layer.ipynb").read_text())["cells"]
    tagged = [(_tags(c)[0], _source(c).splitlines()[0]) for c in cells if set(_tags(c)) & set(wb.TAGS.values())]
    assert tagged == [
        ("workbook-intro", "**Workbook edition.** Each exercise's solution in this notebook is"),
        ("workbook-stub", "def dense_backward(dZ, X, W):"),
        ("workbook-checker", "from bp_lib.exercises.dense import check_dense_backward"),
        ("workbook-answer", "**Your answer** to exercise `ex-ch03-no-bias`: write it here (double-click"),
        ("workbook-answer", "**Your answer** to exercise `ex-ch03-cost`: write it here (double-click"),
    ]
    assert all(c.get("outputs", []) == [] for c in cells)


def test_the_folder_is_self_contained_and_zipped(built, tmp_path):
    folder, chapters, _ = built
    out = folder / "workbook"
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in CHAPTERS]
    assert (out / "README.md").read_text().startswith("# The workbook")
    assert (out / "bp_lib" / "exercises" / "feedback.py").exists()
    assert (out / "bp_lib" / "book" / "book.mplstyle").exists()
    assert not list(out.rglob("__pycache__"))
    archive = wb.write_zip(out, tmp_path / "workbook.zip")
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert {"workbook/README.md", "workbook/03_dense_layer.ipynb", "workbook/bp_lib/__init__.py"} <= names
    assert wb.summary(chapters).splitlines()[3].split() == ["03_dense_layer.ipynb", "3", "1", "1", "2", "0"]


# --- the workbook runs as handed out, and passes with the solutions back ----------------


def _names(source: str) -> tuple[set[str], set[str], set[str], set[str]]:
    """Of a code cell: (names it binds, names it reads from the notebook's globals
    before or without binding them, names it imports, names whose attributes or items
    it touches, which may change the object: ``rng.normal``, ``layer.params[...]``)."""
    table = symtable.symtable(source, "<cell>", "exec")
    symbols = table.get_symbols()
    stored = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported()}
    imported = {s.get_name() for s in symbols if s.is_imported()}
    read = {s.get_name() for s in symbols if s.is_referenced()}
    tables = list(table.get_children())
    while tables:  # names the cell's functions and comprehensions read as globals
        child = tables.pop()
        read |= {s.get_name() for s in child.get_symbols() if s.is_global() and s.is_referenced()}
        tables += child.get_children()
    touched = {
        node.value.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.value, ast.Name)
    }
    return stored, read - stored, imported, touched


def exercise_slice(notebook: dict) -> dict:
    """The notebook cut to its first code cell, the cells from the first exercise on,
    and the earlier cells that bind, import or may change a name those read."""
    cells = notebook["cells"]
    first = next(i for i, c in enumerate(cells) if "{exercise-start}" in _source(c))
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    parsed = {i: _names(_source(cells[i])) for i in code}
    modules = set().union(*(parsed[i][2] for i in code))
    needed, bound = set(), set()
    for i in (i for i in code if i >= first):
        needed |= parsed[i][1] - bound
        bound |= parsed[i][0]
    keep = {code[0]}
    for i in reversed([i for i in code if i < first]):
        stored, read, imported, touched = parsed[i]
        if (stored | (touched - modules)) & needed:
            keep.add(i)
            needed |= read
    result = dict(notebook)
    result["cells"] = [c for i, c in enumerate(cells) if i >= first or i in keep or c["cell_type"] != "code"]
    return result


def _execute(path: Path, skip_tag: str | None = None, whole: bool = False) -> tuple[dict, float]:
    """Run the notebook (every cell if ``whole`` or WORKBOOK_FULL is set, else its
    :func:`exercise_slice`) in its own folder, without the cells tagged ``skip_tag``;
    the executed notebook and the seconds it took."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    node = nbformat.read(path, as_version=4)
    node.cells = [c for c in node.cells if skip_tag not in _tags(c)]
    if not (whole or os.environ.get("WORKBOOK_FULL")):
        node = nbformat.from_dict(exercise_slice(node))
    start = time.perf_counter()
    client = NotebookClient(
        node, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(
            f"{path.parent.name}/{path.name}: a cell failed. If it is a cell outside the solutions, it must not "
            "call a function the reader writes (in the workbook that is a stub): call bp_lib's instead, as "
            f"chapter 12's demonstrations do.\n{error}"
        )
    return node, time.perf_counter() - start


def _checker_outputs(notebook) -> list[tuple[str, str]]:
    return [
        (_source(c), "".join(o.get("text", "") for o in c["outputs"]))
        for c in notebook["cells"]
        if "workbook-checker" in _tags(c)
    ]


WITH_EXERCISES = [p for p in CHAPTERS if "{exercise-start}" in p.read_text()]


def test_the_workbook_runs_unanswered_and_every_checker_says_not_written_yet(built, monkeypatch):
    """Every workbook notebook as handed out, top to bottom, every cell."""
    folder, chapters, _ = built
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    times = {}
    for path in WITH_EXERCISES:
        notebook, times[path.name] = _execute(folder / "workbook" / path.name, whole=True)
        [chapter] = [c for c in chapters if c.name == path.name]
        outputs = _checker_outputs(notebook)
        assert len(outputs) == sum(e.checkers for e in chapter.exercises) > 0
        for source, printed in outputs:
            assert "FAIL:" in printed and NOT_WRITTEN in " ".join(printed.split()), (
                f"{path.name}: the checker cell\n{source}\nprinted\n{printed}"
            )
    print("unanswered workbook, seconds per notebook:", times)


def test_with_the_solutions_put_back_every_checker_passes(built):
    """The solved edition, without the solutions' other code (chapter 13's is a
    training study of a minute), which no checker needs."""
    folder, chapters, solved = built
    times = {}
    for path in WITH_EXERCISES:
        notebook, times[path.name] = _execute(folder / "solved" / path.name, skip_tag=wb.TAGS["code"])
        outputs = _checker_outputs(notebook)
        assert len(outputs) == sum(e.checkers for c in solved if c.name == path.name for e in c.exercises) > 0
        for source, printed in outputs:
            assert printed.startswith("PASS:") and "FAIL" not in printed, f"{path.name}:\n{source}\nprinted\n{printed}"
    print("solved edition, seconds per notebook:", times)

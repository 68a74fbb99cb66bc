"""The package's three rooms and its import graph.

The graph is read from the source (every ``import`` statement, those inside functions
included), so a lazy import cannot hide a circle the way ``Sequential.save`` once did.
"""

import ast
from pathlib import Path

import pytest

import bp_lib

PACKAGE_DIR = Path(bp_lib.__file__).parent
ROOMS = {"book": "bp_lib.book", "exercises": "bp_lib.exercises"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    """The bp_lib modules an ``from ... import ...`` statement loads."""
    if node.level == 0:
        base = node.module or ""
    else:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([node.module] if node.module else []))
    # ``from .book import bench`` loads bp_lib.book.bench; ``from .core import Module`` loads bp_lib.core
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def import_graph() -> dict[str, set[str]]:
    """Each bp_lib module -> the bp_lib modules it imports (anywhere in its source)."""
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    names = {_module_name(path) for path in paths}
    graph = {}
    for path in paths:
        module = _module_name(path)
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                targets.update(_resolve(module, path.name == "__init__.py", node))
        graph[module] = {target for target in targets if target in names and target != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle of ``graph`` as a list of modules, or None (depth-first search)."""
    state = {}  # module -> "open" while on the stack, "done" after

    def visit(module, stack):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state:
                cycle = visit(target, stack + [target])
                if cycle:
                    return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [module])
            if cycle:
                return cycle
    return None


def _room(module: str) -> str:
    for room, prefix in ROOMS.items():
        if module == prefix or module.startswith(prefix + "."):
            return room
    return "library"


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph()
    assert "bp_lib.gradcheck" in graph["bp_lib.book.bugs"]  # imported inside a function
    assert "bp_lib.book.cost" in graph["bp_lib.book.bench"]  # ``from .cost import``
    assert "bp_lib.core" in graph["bp_lib.book.cost"]  # ``from ..core import``


def test_find_cycle_finds_a_planted_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circle_in_bp_lib():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


@pytest.mark.parametrize("room", ["book", "exercises"])
def test_the_library_never_imports_the_other_rooms(room):
    offenders = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        if _room(module) == "library"
        for target in targets
        if _room(target) == room
    ]
    assert not offenders, offenders


def test_every_module_lives_in_one_of_three_rooms():
    rooms = {_room(module) for module in import_graph()}
    assert rooms == {"library", "book", "exercises"}


def test_tests_mirror_the_rooms():
    tests_dir = Path(__file__).parent
    for room in ROOMS:
        modules = {p.stem for p in (PACKAGE_DIR / room).glob("*.py") if p.stem != "__init__"}
        tests = {p.stem.removeprefix("test_") for p in (tests_dir / room).glob("test_*.py")}
        assert modules <= tests, f"{room}: modules without tests/{room}/test_<module>.py: {modules - tests}"

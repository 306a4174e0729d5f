"""The service's layering, read from its source: no import cycles, every Redis key from ``service/keys.py``,
Redis commands only inside the small classes that own the data, the classifier reached only through its
public surface, and only the intake writing a new comment. Each rule checks itself on a bad example first."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"
# Modules that own Redis data (each behind its small class or functions), and the ones that start Redis.
OWNERS = {"store.py", "labels.py", "registry.py", "antiabuse.py", "auth.py", "ratelimit.py", "webhooks.py",
          "connection.py", "embedded.py", "supervisor.py"}
COMMANDS = ("get", "set", "hget", "hset", "hgetall", "hmget", "hexists", "hdel", "hvals", "delete", "exists",
            "incr", "incrby", "expire", "zadd", "zrem", "zrange", "zrangebyscore", "zcard", "zscore", "sadd",
            "smembers", "srem", "xadd", "xack", "xdel", "xrange", "xrevrange", "xlen", "xreadgroup", "xautoclaim",
            "xclaim", "xpending_range", "scan_iter", "pipeline", "eval", "evalsha", "register_script", "mget")
_COMMAND = re.compile(r"\b(?:redis|client|pipe|redis_client)\.(" + "|".join(COMMANDS) + r")\(")
_KEY = re.compile(r"""f["'][^"']*\{[^}]*(?:base|prefix)\}:""")


def sources() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in sorted(SERVICE.rglob("*.py"))}


def module_name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def top_level_imports(source: str, module: str) -> set[str]:
    """Modules imported when ``module`` is imported (imports inside functions run later and cannot cycle)."""
    out: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, one level up per extra dot
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if not module.startswith(base + "."):  # `from service import metrics` needs metrics, not the package
                out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle (as a path that returns to its start), found by depth-first search."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def import_graph(files: dict[str, str]) -> dict[str, set[str]]:
    names = {module_name(p) for p in files}
    return {module_name(p): {m for m in top_level_imports(s, module_name(p)) if m in names and m != module_name(p)}
            for p, s in files.items()}


def raw_commands(files: dict[str, str]) -> list[str]:
    return [f"{p}: {m.group(0)}" for p, s in files.items() if Path(p).name not in OWNERS
            for m in _COMMAND.finditer(s)]


def keys_built_outside(files: dict[str, str]) -> list[str]:
    return [f"{p}: {m.group(0)}" for p, s in files.items() if not p.endswith("service/keys.py")
            for m in _KEY.finditer(s)]


def classifier_internals(files: dict[str, str]) -> list[str]:
    pattern = re.compile(r"^\s*(?:from classifier\.\w+ import|import classifier\.)", re.M)
    return [f"{p}: {m.group(0).strip()}" for p, s in files.items() for m in pattern.finditer(s)]


def writers_of_new_comments(files: dict[str, str]) -> list[str]:
    return [p for p, s in files.items() if re.search(r"\bstore\.receive\(", s) and not p.endswith("intake.py")]


BAD = {"service/a.py": "from service import b\nclient = None\nclient.hset(f'{prefix}:x', 1)\n",
       "service/b.py": "import service.a\nfrom classifier.features import normalise\nstore.receive(x)\n"}


@pytest.mark.parametrize("rule", [lambda f: cycles(import_graph(f)), raw_commands, keys_built_outside,
                                  classifier_internals, writers_of_new_comments],
                         ids=["cycles", "raw_commands", "keys", "classifier_internals", "writers"])
def test_each_rule_finds_its_bad_example(rule: object) -> None:
    assert rule(BAD)  # type: ignore[operator]


def test_the_service_imports_no_cycle() -> None:
    assert cycles(import_graph(sources())) == []


def test_every_redis_key_is_built_in_keys_py() -> None:
    assert keys_built_outside(sources()) == []


def test_redis_commands_run_only_in_the_modules_that_own_the_data() -> None:
    assert raw_commands(sources()) == []


def test_the_service_reaches_the_classifier_only_through_its_public_surface() -> None:
    assert classifier_internals(sources()) == []


def test_only_the_intake_writes_a_new_comment() -> None:
    assert writers_of_new_comments(sources()) == []

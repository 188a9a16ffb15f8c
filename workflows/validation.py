"""Deploy-time validation of a BPMN diagram and its DMN tables, and the one safe way to parse them.

Used when the platform deploys its shipped diagrams and when a process owner saves a draft in the browser.
XML is parsed without DTDs, entities or network access (a DOCTYPE is refused outright), then checked against
the BPMN XSD, parsed by SpiffBpmnParser, and run through the checks in `diagram_checks`; every problem names
the element it concerns so the editor can highlight it.
"""
import re
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.none_task import NoneTask
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.dmn.parser.BpmnDmnParser import BpmnDmnParser
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import construct_checks, script_checks
from . import diagram_checks as checks
from .diagram_messages import engine_message, xsd_message

MAX_XML_BYTES = 5 * 1024 * 1024
_BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"


@dataclass(frozen=True)
class Problem:
    """One reason a diagram cannot be deployed; element_id is None for the diagram as a whole."""

    element_id: str | None
    message: str


class UnsafeXml(ValueError):
    """The XML carries a DOCTYPE, DTD or entity declarations, or is too large; it is never expanded."""


_DECLARATION = re.compile(r"""^(\ufeff?\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def as_utf8_text(xml: str) -> str:
    """Text already decoded (JSON, the modeler) declared as UTF-8, whatever encoding its file once declared."""
    return _DECLARATION.sub(r"\1\2UTF-8\2", xml, count=1)


def safe_xml(data: bytes | str, what: str = "流程图"):
    """The root element of data parsed without DTD, entities or network; UnsafeXml / XMLSyntaxError else.

    Bytes are decoded as their declaration says (ISO-8859-1, GBK, …); text is already decoded, so its
    declaration is ignored (issue 13: "Prüfung" must not become "PrÃ¼fung").
    """
    if isinstance(data, str):
        data = as_utf8_text(data).encode("utf-8")
    if len(data) > MAX_XML_BYTES:
        raise UnsafeXml(f"{what}超过 {MAX_XML_BYTES // (1024 * 1024)} MB，拒绝处理")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnsafeXml(f"{what}含有 DOCTYPE/实体声明（可能是 XXE 或实体膨胀攻击），拒绝处理")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False)
    root = etree.fromstring(data, parser=parser)
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXml(f"{what}含有 DOCTYPE/DTD，拒绝处理")
    return root


def parse_spec(xml: bytes, dmn_files: dict[str, bytes] | None = None, process_id: str | None = None) -> tuple:
    """(spec, subprocess_specs) via SpiffBpmnParser(validator=VALIDATOR), after the safe-XML check."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.dmn_schemas = {ns: path for ns, path in DMN_SCHEMAS.items() if _dmn_validator(ns) is not None}
    parser.add_bpmn_xml(safe_xml(xml), filename=f"{process_id or 'diagram'}.bpmn")
    for name, data in sorted((dmn_files or {}).items()):
        parser.add_dmn_xml(without_dmndi(safe_xml(data, f"决策表文件“{name}”")), filename=f"{name}.dmn")
    if process_id is None:
        ids = parser.get_process_ids()
        if len(ids) != 1:
            raise ValueError(f"图中有 {len(ids)} 个可执行流程，请指定 process_id")
        process_id = ids[0]
    spec, subprocess_specs = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    for each in (spec, *subprocess_specs.values()):
        _pass_through_plain_tasks(each)
    return spec, subprocess_specs


def _pass_through_plain_tasks(spec) -> None:
    """A plain bpmn:task (no type, no lane role, no form) is run by the engine as a no-op step.

    Spiff makes it a manual task, which would become an inbox row nobody may complete (issue 13).
    """
    for task_spec in spec.task_specs.values():
        if isinstance(task_spec, NoneTask):
            task_spec.manual = False


def repair_layout(xml: str) -> str:
    """xml without its drawing (DI) when only the drawing breaks the BPMN schema; the view lays it out again.

    Layout errors do not change how a case runs, so they are not refused (issue 13); unchanged otherwise.
    """
    try:
        root = safe_xml(xml)
    except (UnsafeXml, etree.XMLSyntaxError):
        return xml
    VALIDATOR.preprocess(root)
    if VALIDATOR.validator.validate(root):
        return xml
    drawings = root.findall(f"{{{_BPMNDI}}}BPMNDiagram")
    lines = {el.sourceline for d in drawings for el in d.iter() if isinstance(el.tag, str)}
    if not drawings or any(err.line not in lines for err in VALIDATOR.validator.error_log):
        return xml
    for drawing in drawings:
        root.remove(drawing)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode")


def _schema_problems(root, schema, what: str) -> list[Problem]:
    """XSD errors, each attributed to the nearest element with an id at the reported line."""
    if schema.validate(root):
        return []
    at_line = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline not in at_line:
            at_line[el.sourceline] = el
    problems, own_ns = [], etree.QName(root).namespace
    for err in schema.error_log:
        el = at_line.get(err.line)
        while el is not None and not (el.get("id") and etree.QName(el).namespace == own_ns):
            el = el.getparent()
        where = checks.label(el) if el is not None else what
        problems.append(Problem(el.get("id") if el is not None else None,
                                f"{where}（第 {err.line} 行）不符合 {what}规范：{xsd_message(err.message)}"))
    return problems


_DMN_VALIDATORS: dict[str, BpmnValidator | None] = {}


def _dmn_validator(ns: str) -> BpmnValidator | None:
    """Spiff's XSD validator for a DMN namespace (cached); None when Spiff's copy does not compile (DMN 1.2)."""
    if ns not in _DMN_VALIDATORS:
        try:
            _DMN_VALIDATORS[ns] = BpmnValidator(DMN_SCHEMAS[ns])
        except etree.XMLSchemaParseError:  # Spiff ships DMN12.xsd without the DMNDI schema it imports
            _DMN_VALIDATORS[ns] = None
    return _DMN_VALIDATORS[ns]


def without_dmndi(root):
    """The DMN root without its DMNDI drawing (layout only; not needed to decide, not in every schema copy)."""
    for el in [e for e in root if isinstance(e.tag, str) and etree.QName(e).localname == "DMNDI"]:
        root.remove(el)
    return root


def _dmn_engine_problems(name: str, root) -> list[Problem]:
    """What Spiff's DMN parser refuses in one file, blamed on that file."""
    what = f"决策表文件“{name}”"
    try:
        parser = BpmnDmnParser()
        parser.add_dmn_xml(root, filename=f"{name}.dmn")
        for dmn in parser.dmn_parsers.values():
            dmn.parse()
            dmn.decision.decisionTables[0]
    except ValidationException as err:
        return [Problem(None, f"{what}{engine_message(str(err))}")]
    except Exception:  # noqa: BLE001 - Spiff's DMN parser fails with IndexError/XPathEvalError on odd tables
        return [Problem(None, f"{what}无法被决策引擎读取（决策、决策表、输入或输出缺失或不完整）；"
                               "请在决策表编辑器中补全后重新上传")]
    return []


def _load_dmn(dmn_files: dict[str, bytes]) -> tuple[dict, list[Problem]]:
    """Safely parsed, schema-valid DMN roots by file name, and the problems of the others."""
    roots, problems = {}, []
    for name, data in sorted(dmn_files.items()):
        what = f"决策表文件“{name}”"
        try:
            root = safe_xml(data, what)
        except UnsafeXml as err:
            problems.append(Problem(None, str(err)))
            continue
        except etree.XMLSyntaxError as err:
            problems.append(Problem(None, f"{what}不是合法的 XML：{err}"))
            continue
        namespace = etree.QName(root).namespace
        if namespace not in DMN_SCHEMAS:
            problems.append(Problem(None, f"{what}不是 DMN 1.1/1.2/1.3 文件；请在建模器中另存为 DMN 1.3 后上传"))
            continue
        validator = _dmn_validator(namespace)
        found = _schema_problems(without_dmndi(root), validator.validator, "DMN ") if validator else []
        found = found or _dmn_engine_problems(name, root)
        problems.extend(Problem(p.element_id, f"{what}：{p.message}" if what not in p.message else p.message)
                        for p in found)
        if not found:
            roots[name] = root
    return roots, problems


def _parser_problems(root, dmn_roots: dict, process_ids: list[str]) -> list[Problem]:
    """What SpiffBpmnParser itself refuses (unsupported elements, unresolved references, …)."""
    parser = SpiffBpmnParser(validator=None)
    try:
        parser.add_bpmn_xml(root, filename="diagram.bpmn")
        for name, dmn in dmn_roots.items():
            parser.add_dmn_xml(dmn, filename=f"{name}.dmn")
        for pid in process_ids:
            parser.get_subprocess_specs(pid)
    except ValidationException as err:
        el_id = getattr(err, "id", None) or None
        found = [e for e in root.iter() if isinstance(e.tag, str) and el_id and e.get("id") == el_id]
        tag = (getattr(err, "tag", "") or "").rsplit("}", 1)[-1].split(":")[-1]
        where = checks.label(found[0]) if found else (f"{checks.KINDS.get(tag, '元素')} {el_id}" if el_id else "流程图")
        return [Problem(el_id, f"{where}{engine_message(str(err))}（流程引擎无法解析该元素）")]
    except Exception:  # noqa: BLE001 - parser bugs surface as arbitrary errors on odd input
        return [Problem(None, "流程引擎无法解析流程图（可能含有引擎不支持的元素或不完整的引用）；"
                              "请检查最近修改的元素，必要时删除后重新绘制")]
    return []


def _executable(root, process_id: str | None) -> tuple[list, list[Problem]]:
    """The executable processes to check, and the problem when there is none (or not the expected one)."""
    processes = [p for p in root.iter(f"{{{checks.BPMN}}}process") if p.get("isExecutable") == "true"]
    if process_id is not None:
        named = [p for p in root.iter(f"{{{checks.BPMN}}}process") if p.get("id") == process_id]
        if not named:
            return processes, [Problem(None, f"流程图中没有 id 为“{process_id}”的流程")]
        if named[0].get("isExecutable") != "true":
            return processes, [Problem(process_id, f"{checks.label(named[0])}未标记为可执行（isExecutable）")]
    if not processes:
        return [], [Problem(None, "流程图中没有可执行的流程（isExecutable=\"true\"）")]
    return processes, []


def validate_bpmn(xml: bytes, *, roles: set[str], forms: set[str], services: set[str],
                  messages: set[str] | None = None, dmn_files: dict[str, bytes] | None = None,
                  process_id: str | None = None) -> list[Problem]:
    """Every problem of a diagram (and its DMN tables), each on the element it concerns; [] = deployable."""
    try:
        root = safe_xml(xml)
    except UnsafeXml as err:
        return [Problem(None, str(err))]
    except etree.XMLSyntaxError as err:
        return [Problem(None, f"流程图不是合法的 XML：{err}")]
    VALIDATOR.preprocess(root)
    problems = _schema_problems(root, VALIDATOR.validator, "BPMN 2.0 ")
    if problems:
        return problems
    dmn_roots, problems = _load_dmn(dmn_files or {})
    decisions = {d.get("id") for r in dmn_roots.values() for d in r.findall("{*}decision")[:1]}
    processes, missing = _executable(root, process_id)
    problems.extend(missing)
    for process in processes:
        for found in (checks.check_duplicate_ids(process), checks.check_structure(process),
                      checks.check_lanes(process, roles),
                      checks.check_tasks(process, forms, services, decisions),
                      checks.check_expressions(process), checks.check_timers(process),
                      construct_checks.check_events(process), construct_checks.check_implicit_splits(process),
                      script_checks.check_script_names(process), script_checks.check_dead_gateways(process)):
            problems.extend(Problem(el_id, msg) for el_id, msg in found)
    if messages is not None:
        problems.extend(Problem(el_id, msg) for el_id, msg in checks.check_messages(root, messages))
    for name, dmn in dmn_roots.items():
        problems.extend(Problem(el_id, msg) for el_id, msg in checks.check_dmn(name, dmn))
    reported = {p.element_id for p in problems}
    if processes:
        ids = [p.get("id") for p in processes]
        problems.extend(p for p in _parser_problems(root, dmn_roots, ids)
                        if not problems or (p.element_id and p.element_id not in reported))
    return list(dict.fromkeys(problems))

"""Diagrams as the viewers show them: the one auto-layout (`workflows.layout`) for diagrams without BPMNDI."""
from .layout import BPMNDI, DC, DI, displayable_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

__all__ = ["BPMN", "BPMNDI", "DC", "DI", "displayable_xml"]

"""Edits of the shipped registration diagram, as a process owner would make them in the modeler."""
from pathlib import Path

REGISTRATION = (Path(__file__).resolve().parent.parent / "bpmn" / "registration.bpmn").read_text()

RECHECK_TASK = """    <bpmn:userTask id="recheck_review" name="{name}">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formKey" value="{form}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_to_decision</bpmn:incoming>
      <bpmn:outgoing>flow_rechecked</bpmn:outgoing>
    </bpmn:userTask>
"""


def with_recheck(xml: str = REGISTRATION, *, form: str = "registration_review", lane: bool = True,
                 name: str = "县级复核登记材料") -> str:
    """A review step inserted between the county review and the decision gateway."""
    xml = xml.replace('<bpmn:sequenceFlow id="flow_to_decision" sourceRef="county_review" '
                      'targetRef="decision_gateway" />',
                      '<bpmn:sequenceFlow id="flow_to_decision" sourceRef="county_review" targetRef="recheck_review" />'
                      '\n    <bpmn:sequenceFlow id="flow_rechecked" sourceRef="recheck_review" '
                      'targetRef="decision_gateway" />')
    xml = xml.replace("<bpmn:incoming>flow_to_decision</bpmn:incoming>\n      <bpmn:outgoing>flow_approve",
                      "<bpmn:incoming>flow_rechecked</bpmn:incoming>\n      <bpmn:outgoing>flow_approve")
    xml = xml.replace('    <bpmn:exclusiveGateway id="decision_gateway"',
                      RECHECK_TASK.format(name=name, form=form) + '    <bpmn:exclusiveGateway id="decision_gateway"')
    if lane:
        xml = xml.replace("<bpmn:flowNodeRef>county_review</bpmn:flowNodeRef>",
                          "<bpmn:flowNodeRef>county_review</bpmn:flowNodeRef>\n"
                          "        <bpmn:flowNodeRef>recheck_review</bpmn:flowNodeRef>")
    assert "recheck_review" in xml
    return xml


def renamed_correction(xml: str = REGISTRATION) -> str:
    """The 退回补正 task renamed (a change to a task cases may be waiting at)."""
    old = 'name="退回补正：修改情况表或补充材料"'
    assert old in xml
    return xml.replace(old, 'name="退回补正：按审核意见修改情况表或补充材料"')


def replaced(xml: str, old: str, new: str) -> str:
    """xml with one fragment replaced (which must be there)."""
    assert old in xml, old
    return xml.replace(old, new)

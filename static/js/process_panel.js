/* 属性面板：为 bpmn-js 建模器编辑本平台流程图用到的属性（泳道角色、名称、表单、服务、期限、定时器、消息、说明）。
   Every change goes through bpmn-js `modeling` so it can be undone and is exported with the diagram. */
(function () {
  'use strict';
  var SPIFF = 'spiffworkflow:';

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { el.textContent = attrs[k]; } else if (k.slice(0, 2) === 'on') {
        el.addEventListener(k.slice(2), attrs[k]);
      } else { el.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { el.appendChild(c); } });
    return el;
  }

  function AnfuPanel(modeler, container, cfg) {
    var modeling = modeler.get('modeling'), moddle = modeler.get('moddle');
    var selection = modeler.get('selection'), registry = modeler.get('elementRegistry');
    var current = null, seq = 0;

    function is(el, type) { return el && el.businessObject && el.businessObject.$instanceOf(type); }
    function bo(el) { return el.businessObject; }
    function fieldId() { seq += 1; return 'pp_' + seq; }

    function field(label, input, help) {
      input.id = input.id || fieldId();
      return h('div', { class: 'pp-field' }, [h('label', { for: input.id, text: label }), input,
        help ? h('small', { class: 'help', text: help }) : null]);
    }
    function textInput(value, onchange, attrs) {
      var input = h('input', Object.assign({ type: 'text' }, attrs || {}));
      input.value = value || '';
      input.addEventListener('change', function () { onchange(input.value.trim()); });
      return input;
    }
    function textArea(value, onchange, attrs) {
      var input = h('textarea', Object.assign({ rows: '3' }, attrs || {}));
      input.value = value || '';
      input.addEventListener('change', function () { onchange(input.value); });
      return input;
    }
    function choice(options, value, onchange, attrs) {
      var select = h('select', attrs || {});
      select.appendChild(h('option', { value: '', text: '（请选择）' }));
      var known = false;
      options.forEach(function (o) {
        var opt = h('option', { value: o[0], text: o[1] });
        if (o[0] === value) { opt.selected = true; known = true; }
        select.appendChild(opt);
      });
      if (value && !known) {
        select.appendChild(h('option', { value: value, text: value + '（平台未注册）', selected: 'selected' }));
      }
      select.addEventListener('change', function () { onchange(select.value); });
      return select;
    }

    // --- extension elements (spiffworkflow:*) -------------------------------------------------
    function extensions(el, create) {
      var b = bo(el), ee = b.extensionElements;
      if (!ee && create) {
        ee = moddle.create('bpmn:ExtensionElements', { values: [] });
        modeling.updateModdleProperties(el, b, { extensionElements: ee });
      }
      return ee;
    }
    function extension(el, type, create, holder) {
      var owner = holder || bo(el);
      var ee = holder ? owner.extensionElements : extensions(el, create);
      if (!ee && holder && create) {
        ee = moddle.create('bpmn:ExtensionElements', { values: [] });
        modeling.updateModdleProperties(el, owner, { extensionElements: ee });
      }
      if (!ee) { return null; }
      var found = (ee.values || []).filter(function (v) { return v.$instanceOf(SPIFF + type); })[0];
      if (!found && create) {
        found = moddle.create(SPIFF + type, {});
        modeling.updateModdleProperties(el, ee, { values: (ee.values || []).concat([found]) });
      }
      return found;
    }
    function property(el, name) {
      var props = extension(el, 'Properties', false);
      var p = props && (props.properties || []).filter(function (x) { return x.name === name; })[0];
      return p ? p.value : '';
    }
    function setProperty(el, name, value) {
      var props = extension(el, 'Properties', !!value);
      if (!props) { return; }
      var list = props.properties || [];
      var p = list.filter(function (x) { return x.name === name; })[0];
      if (!value) {
        if (p) { modeling.updateModdleProperties(el, props, { properties: list.filter(function (x) { return x !== p; }) }); }
      } else if (p) {
        modeling.updateModdleProperties(el, p, { value: value });
      } else {
        modeling.updateModdleProperties(el, props, {
          properties: list.concat([moddle.create(SPIFF + 'Property', { name: name, value: value })]) });
      }
    }
    function setBody(el, type, value, holder) {
      var found = extension(el, type, !!value, holder);
      if (found) { modeling.updateModdleProperties(el, found, { value: value }); }
    }

    // --- sections -------------------------------------------------------------------------------
    function common(el) {
      var b = bo(el), nodes = [];
      if (is(el, 'bpmn:Lane')) {
        nodes.push(field('泳道（办理角色）', choice(cfg.roles, b.name, function (v) {
          modeling.updateProperties(el, { name: v || undefined });
        }, { name: 'lane_role' }), '泳道名称必须是平台角色，该泳道中的用户任务由此角色办理'));
        return nodes;
      }
      nodes.push(field('名称（标题）', textInput(b.name, function (v) {
        modeling.updateProperties(el, { name: v || undefined });
      }, { name: 'name' })));
      var doc = (b.documentation || [])[0];
      nodes.push(field('说明（依据）', textArea(doc ? doc.text : '', function (v) {
        var docs = v.trim() ? [moddle.create('bpmn:Documentation', { text: v })] : [];
        modeling.updateProperties(el, { documentation: docs });
      }, { name: 'documentation' }), '例如法规依据：[JC] 第十条'));
      return nodes;
    }

    function userTask(el) {
      return [
        field('表单', choice(cfg.forms, property(el, 'formKey'), function (v) { setProperty(el, 'formKey', v); },
          { name: 'formKey' }), '办理此环节时填写的表单（由 handlers/ 注册）'),
        field('期限变量（dueDateVariable）', textInput(property(el, 'dueDateVariable'), function (v) {
          setProperty(el, 'dueDateVariable', v);
        }, { name: 'dueDateVariable' }), '保存期限的流程变量名，待办列表据此显示期限'),
        field('办理说明', textArea(bodyOf(el, 'InstructionsForEndUser'), function (v) {
          setBody(el, 'InstructionsForEndUser', v.trim());
        }, { name: 'instructions' }))
      ];
    }
    function bodyOf(el, type, holder) {
      var ee = holder ? holder.extensionElements : bo(el).extensionElements;
      var found = ee && (ee.values || []).filter(function (v) { return v.$instanceOf(SPIFF + type); })[0];
      return found ? found.value || '' : '';
    }

    function serviceTask(el) {
      var op = extension(el, 'ServiceTaskOperator', false);
      var nodes = [field('服务（serviceTaskOperator）', choice(cfg.services, op ? op.id : '', function (v) {
        var o = extension(el, 'ServiceTaskOperator', true);
        modeling.updateModdleProperties(el, o, { id: v || undefined });
        if (!o.parameterList) {
          modeling.updateModdleProperties(el, o, { parameterList: moddle.create(SPIFF + 'Parameters', { parameters: [] }) });
        }
      }, { name: 'serviceTaskOperator' })),
      field('结果变量', textInput(op ? op.resultVariable : '', function (v) {
        modeling.updateModdleProperties(el, extension(el, 'ServiceTaskOperator', true), { resultVariable: v || undefined });
      }, { name: 'resultVariable' }))];
      var params = op && op.parameterList ? op.parameterList.parameters || [] : [];
      params.forEach(function (p) {
        nodes.push(field('参数 ' + p.id + '（' + (p.type || 'str') + '）', textInput(p.value, function (v) {
          modeling.updateModdleProperties(el, p, { value: v });
        }, { name: 'param_' + p.id }), '表达式，如 10 或 "文本"'));
      });
      return nodes;
    }

    function businessRuleTask(el) {
      return [field('决策表（calledDecisionId）', choice(cfg.decisions(), bodyOf(el, 'CalledDecisionId'),
        function (v) { setBody(el, 'CalledDecisionId', v); }, { name: 'calledDecisionId' }))];
    }

    function scriptTask(el) {
      return [field('脚本（受限 Python）', textArea(bo(el).script, function (v) {
        modeling.updateProperties(el, { scriptFormat: 'python', script: v });
      }, { name: 'script', rows: '5' }), '不得使用 import、以下划线开头的名称、exec/eval/open')];
    }

    function eventDefinition(el, type) {
      return (bo(el).eventDefinitions || []).filter(function (d) { return d.$instanceOf(type); })[0];
    }

    function timer(el, def) {
      var kinds = [['timeDate', '日期（timeDate）'], ['timeDuration', '时长（timeDuration）'], ['timeCycle', '循环（timeCycle）']];
      var kind = kinds.map(function (k) { return k[0]; }).filter(function (k) { return def[k]; })[0] || 'timeDate';
      var expr = def[kind] ? def[kind].body : '';
      var kindSel = choice(kinds, kind, function () {}, { name: 'timer_kind' });
      var exprInput = textInput(expr, function () {}, { name: 'timer_expression' });
      function apply() {
        var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
        if (exprInput.value.trim()) {
          props[kindSel.value || 'timeDate'] = moddle.create('bpmn:FormalExpression', { body: exprInput.value.trim() });
        }
        modeling.updateModdleProperties(el, def, props);
      }
      kindSel.addEventListener('change', apply);
      exprInput.addEventListener('change', apply);
      var variable = textInput('', function () {}, { name: 'deadline_variable', placeholder: '如 correction_deadline' });
      var helper = h('button', { type: 'button', class: 'secondary', text: '插入工作日期限', onclick: function () {
        var name = variable.value.trim();
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) { variable.focus(); return; }
        kindSel.value = 'timeDate';
        exprInput.value = name + '["due_at"]';
        apply();
      } });
      return [field('定时器类型', kindSel), field('定时器表达式', exprInput,
        'ISO 值须加引号，如 "P7D"；法定期限请用工作日期限变量（绝对日期，迁移后不变）'),
      field('工作日期限变量', variable, '该变量由服务（如 correction_deadline）按工作日日历计算'), helper];
    }

    function message(el, def) {
      var names = cfg.messages.map(function (m) { return [m, m]; });
      var ref = def.messageRef;
      var nodes = [field('消息名称', choice(names, ref ? ref.name : '', function (v) {
        var defs = modeler.getDefinitions();
        var msg = (defs.rootElements || []).filter(function (r) { return r.$instanceOf('bpmn:Message') && r.name === v; })[0];
        if (v && !msg) {
          msg = modeler.get('bpmnFactory').create('bpmn:Message', { name: v });
          modeling.updateModdleProperties(el, defs, { rootElements: defs.rootElements.concat([msg]) });
        }
        modeling.updateModdleProperties(el, def, { messageRef: msg || undefined });
      }, { name: 'message' }), '平台可投递的消息（处理模块登记）')];
      nodes.push(field('消息内容变量（messageVariable）', textInput(bodyOf(el, 'MessageVariable', def), function (v) {
        setBody(el, 'MessageVariable', v, def);
      }, { name: 'messageVariable' })));
      return nodes;
    }

    function flow(el) {
      var b = bo(el), source = b.sourceRef, nodes = [];
      if (source && (source.$instanceOf('bpmn:ExclusiveGateway') || source.$instanceOf('bpmn:InclusiveGateway'))) {
        nodes.push(field('条件表达式', textInput(b.conditionExpression ? b.conditionExpression.body : '', function (v) {
          modeling.updateProperties(el, {
            conditionExpression: v ? moddle.create('bpmn:FormalExpression', { body: v }) : undefined });
        }, { name: 'condition' }), '如 decision == "approve"'));
        var box = h('input', { type: 'checkbox', name: 'is_default' });
        box.checked = source.default === b;
        box.addEventListener('change', function () {
          modeling.updateProperties(registry.get(source.id), { default: box.checked ? b : undefined });
        });
        nodes.push(field('默认出口', box));
      }
      return nodes;
    }

    function insertButton(el) {
      if (!is(el, 'bpmn:FlowNode') || is(el, 'bpmn:EndEvent')) { return null; }
      return h('button', { type: 'button', class: 'secondary', id: 'insert-user-task',
        text: '在此环节后插入用户任务', onclick: function () { cfg.insertAfter(el); } });
    }

    function render() {
      container.innerHTML = '';
      var el = current;
      if (!el || el.type === 'label') {
        container.appendChild(h('p', { class: 'empty', text: '在流程图中选择一个环节、泳道或连线以编辑其属性。' }));
        return;
      }
      container.appendChild(h('h3', { text: (cfg.kinds[el.type] || el.type.replace('bpmn:', '')) + ' · ' + el.id }));
      var nodes = common(el);
      if (is(el, 'bpmn:UserTask')) { nodes = nodes.concat(userTask(el)); }
      if (is(el, 'bpmn:ServiceTask')) { nodes = nodes.concat(serviceTask(el)); }
      if (is(el, 'bpmn:BusinessRuleTask')) { nodes = nodes.concat(businessRuleTask(el)); }
      if (is(el, 'bpmn:ScriptTask')) { nodes = nodes.concat(scriptTask(el)); }
      if (is(el, 'bpmn:SequenceFlow')) { nodes = nodes.concat(flow(el)); }
      if (is(el, 'bpmn:Event')) {
        var t = eventDefinition(el, 'bpmn:TimerEventDefinition');
        var m = eventDefinition(el, 'bpmn:MessageEventDefinition');
        if (t) { nodes = nodes.concat(timer(el, t)); }
        if (m) { nodes = nodes.concat(message(el, m)); }
      }
      nodes.push(insertButton(el));
      nodes.forEach(function (n) { if (n) { container.appendChild(n); } });
    }

    modeler.on('selection.changed', function (e) { current = e.newSelection.length === 1 ? e.newSelection[0] : null; render(); });
    modeler.on('elements.changed', function (e) {
      if (current && e.elements.some(function (x) { return x.id === current.id; })) {
        var focused = document.activeElement && container.contains(document.activeElement);
        if (!focused) { render(); }
      }
    });
    render();
    return { select: function (id) { var el = registry.get(id); if (el) { selection.select(el); } }, render: render };
  }

  window.AnfuPanel = AnfuPanel;
}());

/* 流程编辑器：bpmn-js 建模器 + 属性面板 + dmn-js 决策表；保存草稿（服务器校验并在图上标出问题）、发布新版本。 */
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('editor-config').textContent);
  var csrf = document.querySelector('meta[name=csrf-token]').content;
  var statusBox = document.getElementById('editor-status');
  var problemList = document.getElementById('problems');
  var publishBox = document.getElementById('publish');
  var draftId = cfg.draft_id, dirty = false, publishable = false, problemIds = [];
  var dmnFiles = {}, dmnName = null, dmnModeler = null;

  function say(text, kind) { statusBox.textContent = text; statusBox.className = 'status ' + (kind || ''); }
  function api(method, url, body) {
    return fetch(url, { method: method, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf, 'Accept': 'application/json' },
      body: body ? JSON.stringify(body) : undefined })
      .then(function (res) { return res.json().then(function (data) { return { status: res.status, data: data }; }); });
  }

  function start(moddleExtension) {
    var modeler = new BpmnJS({ container: '#canvas',
      moddleExtensions: { spiffworkflow: moddleExtension } });
    var canvas = modeler.get('canvas'), overlays = modeler.get('overlays'), registry = modeler.get('elementRegistry');
    var modeling = modeler.get('modeling'), factory = modeler.get('elementFactory');
    cfg.decisions = function () { return Object.keys(dmnFiles).map(function (n) { return [decisionId(n), decisionId(n) + '（' + n + '.dmn）']; }); };
    cfg.insertAfter = function (el) {
      var outs = (el.outgoing || []).filter(function (c) { return c.type === 'bpmn:SequenceFlow'; });
      if (outs.length !== 1) { say('只能在恰有一条出口连线的环节之后插入', 'error'); return; }
      var flow = outs[0], target = flow.target, right = el.x + el.width;
      var moving = registry.filter(function (s) {
        return !s.waypoints && s.type !== 'label' && s.parent && s.x >= right &&
          ['bpmn:Participant', 'bpmn:Lane', 'bpmn:Process', 'bpmn:Collaboration'].indexOf(s.type) < 0;
      });
      var pools = registry.filter(function (s) { return s.type === 'bpmn:Participant' || s.type === 'bpmn:Lane'; });
      if (moving.length) { modeling.createSpace(moving, pools, { x: 160, y: 0 }, 'e', right + 1); }
      var shape = modeling.createShape(factory.createShape({ type: 'bpmn:UserTask' }),
        { x: right + 80, y: el.y + el.height / 2 }, el.parent);
      modeling.reconnectEnd(flow, shape, { x: shape.x, y: shape.y + shape.height / 2 });
      modeling.connect(shape, target, { type: 'bpmn:SequenceFlow' });
      modeler.get('selection').select(shape);
    };
    var panel = AnfuPanel(modeler, document.getElementById('properties'), cfg);

    var lastProblems = [];
    function mark(problems) {
      lastProblems = problems;
      problemIds.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, 'anfu-problem'); } });
      overlays.remove({ type: 'anfu-problem' });
      document.querySelectorAll('#dmn-canvas .anfu-problem').forEach(function (c) { c.classList.remove('anfu-problem'); });
      problemIds = [];
      problemList.innerHTML = '';
      problems.forEach(function (p) {
        var li = document.createElement('li');
        li.textContent = p.message;
        if (p.element_id && registry.get(p.element_id)) {
          li.className = 'clickable';
          li.setAttribute('data-element-id', p.element_id);
          li.tabIndex = 0;
          li.addEventListener('click', function () { panel.select(p.element_id); });
          if (problemIds.indexOf(p.element_id) < 0) {
            problemIds.push(p.element_id);
            canvas.addMarker(p.element_id, 'anfu-problem');
            var badge = document.createElement('div');
            badge.className = 'anfu-problem-badge';
            badge.textContent = '!';
            badge.title = p.message;
            overlays.add(p.element_id, 'anfu-problem', { position: { top: -10, right: 10 }, html: badge });
          }
        }
        else if (p.element_id) { markDmn(p.element_id, li); }
        problemList.appendChild(li);
      });
      document.getElementById('problem-count').textContent = problems.length ? problems.length + ' 个问题' : '未发现问题';
    }

    function markDmn(id, li) {  // a decision table cell (input/output entry) of the open table
      var cell = document.querySelector('#dmn-canvas [data-element-id="' + id + '"]');
      li.setAttribute('data-element-id', id);
      if (cell) { cell.classList.add('anfu-problem'); }
    }

    function refreshPublish() {
      var ok = publishable && !dirty;
      publishBox.querySelector('button').disabled = !ok;
      document.getElementById('publish-hint').textContent = ok ? '草稿已通过校验，可以发布。' :
        (dirty ? '有未保存的修改：请先保存草稿（保存时自动校验）。' : '草稿通过校验后才能发布。');
    }

    modeler.on('commandStack.changed', function () { dirty = true; refreshPublish(); });

    function collectDmn() {
      if (!dmnModeler || !dmnName) { return Promise.resolve(); }
      return dmnModeler.saveXML({ format: true }).then(function (r) { dmnFiles[dmnName] = r.xml; });
    }

    document.getElementById('save').addEventListener('click', function () {
      say('正在保存并校验…');
      collectDmn().then(function () { return modeler.saveXML({ format: true }); }).then(function (r) {
        var body = { bpmn: r.xml, dmn: dmnFiles, base_version: cfg.base_version };
        return draftId ? api('PUT', cfg.drafts_url + '/' + draftId, body) : api('POST', cfg.drafts_url, body);
      }).then(function (res) {
        if (res.status >= 300) { say(res.data.message || '保存失败', 'error'); return; }
        draftId = res.data.id;
        dirty = false;
        publishable = res.data.publishable;
        history.replaceState(null, '', cfg.draft_page + draftId);
        mark(res.data.problems);
        say(res.data.problems.length ? '草稿已保存，但有 ' + res.data.problems.length + ' 个问题（已在图上标出）' :
          '草稿已保存，校验通过', res.data.problems.length ? 'error' : 'ok');
        refreshPublish();
      }).catch(function (err) { say('保存失败：' + err, 'error'); });
    });

    publishBox.addEventListener('submit', function (e) {
      e.preventDefault();
      var reason = document.getElementById('reason').value;
      api('POST', cfg.drafts_url + '/' + draftId + '/publish', { reason: reason }).then(function (res) {
        if (res.status === 201) {
          say('已发布为第 ' + res.data.version + ' 版；新发起的案件将使用该版本。', 'ok');
          publishable = false;
          refreshPublish();
          document.getElementById('published-link').hidden = false;
        } else {
          var errs = res.data.errors || {};
          say((errs.reason || [res.data.message]).join('；'), 'error');
        }
      });
    });

    function decisionId(name) {
      var m = /<(?:\w+:)?decision\b[^>]*\bid="([^"]+)"/.exec(dmnFiles[name] || '');
      return m ? m[1] : name;
    }

    function openDmn(name) {
      collectDmn().then(function () {
        dmnName = name;
        if (!dmnModeler) { dmnModeler = new DmnJS({ container: '#dmn-canvas' }); }
        return dmnModeler.importXML(dmnFiles[name]);
      }).then(function () {
        var view = dmnModeler.getViews().filter(function (v) { return v.type === 'decisionTable'; })[0];
        if (view) { return dmnModeler.open(view); }
      }).then(function () {
        dmnModeler.getActiveViewer().on('elements.changed', function () { dirty = true; refreshPublish(); });
        if (lastProblems.length) { mark(lastProblems); }
      }).catch(function (err) { say('决策表无法打开：' + err, 'error'); });
    }

    api('GET', cfg.source_url).then(function (res) {
      if (res.status !== 200) { say(res.data.message || '无法载入流程图', 'error'); return; }
      dmnFiles = res.data.dmn || {};
      var names = Object.keys(dmnFiles).sort();
      var picker = document.getElementById('dmn-picker');
      names.forEach(function (n) { var o = document.createElement('option'); o.value = n; o.textContent = n + '.dmn'; picker.appendChild(o); });
      document.getElementById('dmn-section').hidden = !names.length;
      picker.addEventListener('change', function () { openDmn(picker.value); });
      if (names.length) { openDmn(names[0]); }
      return modeler.importXML(res.data.xml).then(function () {
        canvas.zoom('fit-viewport');
        dirty = false;
        publishable = !!res.data.publishable;
        mark(res.data.problems || []);
        refreshPublish();
        say(draftId ? '已打开草稿 #' + draftId : '已打开第 ' + cfg.base_version + ' 版；保存后成为新草稿');
        document.body.setAttribute('data-editor-ready', '1');
      });
    }).catch(function (err) { say('无法显示流程图：' + err, 'error'); });
  }

  fetch(cfg.moddle_url).then(function (r) { return r.json(); }).then(start);
}());

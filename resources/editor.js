/*
 * node-red-contrib-network-flows: the one editor helper every dialog loads
 * (<script src="resources/node-red-contrib-network-flows/editor.js">; Node-RED serves a package's
 * resources/ folder at /resources/<package>/).
 *
 * The browser holds no copy of a runtime rule: every check asks the runtime
 * (POST network-flows/validate with {type, props}), which runs the same parsers as a deploy and
 * answers a reason per field. Answers are kept in one cache, shared by all dialogs. Besides the
 * checks: the reason shown under each refused field, the "Test connection" button of the config
 * dialogs, the shared config and SD-WAN endpoint dialogs, and the palette search words.
 * See docs/design.md#editor-checks.
 */
(function () {
  'use strict';
  if (window.NetworkFlowsEditor) return;

  var PACKAGE = 'node-red-contrib-network-flows';
  var DEBOUNCE_MS = 200;
  var MAX_ANSWERS = 500;

  // ---- one remote-check cache ------------------------------------------------------------------

  var answers = {};
  var order = [];
  var waiting = {};

  /**
   * POSTs `body` to `url` once per distinct body; `cb(answer)` gets the cached answer, or null
   * when the admin API could not be reached (the runtime checks again at deploy, so editing
   * goes on). `fresh(answer)` runs once when a new answer arrives.
   */
  function ask(url, body, cb, fresh) {
    var key = url + '\n' + JSON.stringify(body);
    if (Object.prototype.hasOwnProperty.call(answers, key)) {
      if (cb) cb(answers[key]);
      return;
    }
    if (waiting[key]) {
      if (cb) waiting[key].push(cb);
      return;
    }
    waiting[key] = cb ? [cb] : [];
    $.ajax({ url: url, method: 'POST', contentType: 'application/json', data: JSON.stringify(body), dataType: 'json' })
      .then(function (res) { return res; }, function (xhr) { return xhr.responseJSON || null; })
      .then(function (res) {
        var cbs = waiting[key] || [];
        delete waiting[key];
        if (res) {
          answers[key] = res;
          order.push(key);
          if (order.length > MAX_ANSWERS) delete answers[order.shift()];
        }
        cbs.forEach(function (f) { f(res); });
        if (res && fresh) fresh(res);
      });
  }

  /** GETs `url` once (a list the runtime serves, e.g. the rule builder's rows), through the same cache. */
  function read(url, cb) {
    var key = 'GET ' + url;
    if (Object.prototype.hasOwnProperty.call(answers, key)) return cb(answers[key]);
    $.getJSON(url).then(function (res) {
      answers[key] = res;
      cb(res);
    }, function () { cb(null); });
  }

  /** The cached answer, or undefined (nothing asked yet, or on its way). */
  function cached(url, body) {
    return answers[url + '\n' + JSON.stringify(body)];
  }

  // ---- a node's properties, as its dialog shows them -------------------------------------------

  /** Open dialogs by node id (a config dialog opens over its endpoint's): the form that holds the values to check. */
  var editing = {};

  function prefixOf(type) {
    var def = RED.nodes.getType(type);
    return def && def.category === 'config' ? 'node-config-input' : 'node-input';
  }

  /** Properties the runtime reads (references to other nodes are checked by Node-RED itself). */
  function checkedProps(type) {
    var defaults = (RED.nodes.getType(type) || {}).defaults || {};
    return Object.keys(defaults).filter(function (k) { return !defaults[k].type; });
  }

  function fieldValue(el) {
    return el.attr('type') === 'checkbox' ? el.prop('checked') : el.val();
  }

  function propsOf(node, type) {
    var form = editing[node.id];
    if (form && !$.contains(document.documentElement, form)) {
      delete editing[node.id];
      form = undefined;
    }
    var prefix = prefixOf(type);
    var out = {};
    checkedProps(type).forEach(function (k) {
      var v = node[k];
      if (form) {
        var el = $(form).find('#' + prefix + '-' + k);
        if (el.length) v = fieldValue(el);
      }
      out[k] = v === undefined || v === null ? '' : v;
    });
    return out;
  }

  /** Node-RED validates each node again once a new answer is in, so the red triangle appears. */
  function revalidate(res) {
    if (!res || res.ok) return;
    var check = function (n) { RED.editor.validateNode(n); };
    RED.nodes.eachConfig(check);
    RED.nodes.eachNode(check);
    RED.view.redraw(true);
  }

  function validate(type, props, cb) {
    ask('network-flows/validate', { type: type, props: props }, cb, revalidate);
  }

  /**
   * The `validate` of a property: the runtime's reason for the value, asked for once. Until the
   * answer is in the value counts as valid; the answer then re-validates the node.
   * Two parameters, so Node-RED shows the returned reason.
   */
  function check(type, prop) {
    return function (value, opt) {
      var props = propsOf(this, type);
      props[prop] = value === undefined || value === null ? '' : value;
      var body = { type: type, props: props };
      var res = cached('network-flows/validate', body);
      if (res === undefined) {
        validate(type, props);
        return true;
      }
      var reason = res && res.fields && res.fields[prop];
      if (!reason) return true;
      return opt ? reasonText(prop, reason) : false;
    };
  }

  function reasonText(prop, reason) {
    return prop + ': ' + reason.message;
  }

  /** `defaults` with the runtime's check on every property that has no check of its own. */
  function checked(type, defaults) {
    Object.keys(defaults).forEach(function (k) {
      var d = defaults[k];
      if (!d.type && !d.validate && k !== 'name') d.validate = check(type, k);
    });
    return defaults;
  }

  // ---- reasons under the fields, as the user types ---------------------------------------------

  /** The element that shows a field's reason: at the end of the field's form row. */
  function reasonElement(prefix, prop, at) {
    var id = prefix + '-' + prop + '-reason';
    var el = $('#' + id);
    if (el.length) return el;
    var input = at ? $(at) : $('#' + prefix + '-' + prop);
    if (!input.length) return $();
    var row = input.closest('.form-row');
    el = $('<div class="nf-reason" role="alert"></div>').attr('id', id).hide();
    return row.length ? el.appendTo(row) : el.insertAfter(input);
  }

  /**
   * Checks the dialog of `node` as the user types and shows each refused field's reason under it.
   * `opts.reasonAt` maps a property to the field that stands for it in the dialog (a property
   * built from other fields); `opts.own` lists properties whose reason the dialog shows itself;
   * `opts.onAnswer(answer)` sees every answer.
   */
  function live(node, type, opts) {
    opts = opts || {};
    var prefix = prefixOf(type);
    var props = checkedProps(type);
    var form = $('#' + prefix + '-' + props[0]).closest('form')[0];
    if (form) editing[node.id] = form;
    var timer = null;
    var seq = 0;
    function show(res) {
      var fields = (res && res.fields) || {};
      props.forEach(function (p) {
        if (opts.own && opts.own.indexOf(p) >= 0) return;
        var at = opts.reasonAt && opts.reasonAt[p];
        var el = reasonElement(prefix, p, at);
        var input = at ? $(at) : $('#' + prefix + '-' + p);
        var reason = fields[p];
        input.toggleClass('input-error', !!reason);
        // Under the field, the reason starts with the field's label as the dialog shows it (translated).
        var label = $('label[for="' + prefix + '-' + p + '"]').first().text().trim();
        if (reason) el.text((label || p) + ': ' + reason.message).show();
        else el.text('').hide();
      });
      if (opts.onAnswer) opts.onAnswer(res);
    }
    function run() {
      var mine = ++seq;
      validate(type, propsOf(node, type), function (res) {
        if (mine === seq) show(res);
      });
    }
    var selectors = props.map(function (p) { return '#' + prefix + '-' + p; });
    if (opts.also) selectors.push(opts.also);
    $(selectors.join(', ')).on('change input keyup', function () {
      clearTimeout(timer);
      timer = setTimeout(run, DEBOUNCE_MS);
    });
    run();
    return { run: run };
  }

  // ---- config dialogs --------------------------------------------------------------------------

  function row(icon, prop, labelKey, input) {
    return '<div class="form-row"><label for="' + prop + '"><i class="fa ' + icon + '"></i> <span data-i18n="' + labelKey + '"></span></label>' + input + '</div>';
  }

  /**
   * The template of a config dialog: name, host, the type's own rows, TLS, timeout and the
   * "Test connection" button. Every text comes from `<type>.*` keys of the type's catalogue.
   */
  function configTemplate(type, ownRows) {
    var p = 'node-config-input-';
    var html = [
      row('fa-tag', p + 'name', type + '.label.name', '<input type="text" id="' + p + 'name" data-i18n="[placeholder]' + type + '.label.name">'),
      row('fa-globe', p + 'host', type + '.label.host', '<input type="text" id="' + p + 'host" data-i18n="[placeholder]' + type + '.placeholder.host">'),
      ownRows || '',
      row('fa-shield', p + 'tls', type + '.label.tls', '<input type="text" id="' + p + 'tls">'),
      row('fa-clock-o', p + 'timeout', type + '.label.timeout',
        '<input type="number" id="' + p + 'timeout" step="1" style="width: 120px;"> <span data-i18n="' + type + '.label.ms"></span>'),
      '<div class="form-row"><label>&nbsp;</label>' +
        '<button type="button" class="red-ui-button" id="node-config-' + type + '-test"><i class="fa fa-plug"></i> <span data-i18n="' + type + '.test.button"></span></button>' +
        '<div id="node-config-' + type + '-test-result" class="nf-test-result"></div></div>'
    ].join('\n');
    addTemplate(type, html);
  }

  /** Adds a dialog template the way an editor file holds one. */
  function addTemplate(type, html) {
    if ($('script[data-template-name="' + type + '"]').length) return;
    $('<script type="text/html"></script>').attr('data-template-name', type).text(html).appendTo(document.body);
  }

  /**
   * "Test connection": POSTs the dialog's current values (and credentials as typed; the
   * runtime uses the stored ones for a password left as it was) and shows the answer.
   */
  function testConnection(node, type, credentials) {
    var p = 'node-config-input-';
    $('#node-config-' + type + '-test').on('click', function (e) {
      e.preventDefault();
      var out = $('#node-config-' + type + '-test-result');
      out.removeClass('nf-ok nf-fail').text(node._(type + '.test.running'));
      var body = { id: node.id, credentials: {} };
      checkedProps(type).forEach(function (k) {
        var el = $('#' + p + k);
        if (el.length) body[k] = fieldValue(el);
      });
      var tls = $('#' + p + 'tls').val();
      body.tls = tls === '_ADD_' ? '' : tls;
      credentials.forEach(function (c) { body.credentials[c] = $('#' + p + c).val(); });
      $.ajax({ url: 'network-flows/' + type + '/test', type: 'POST', contentType: 'application/json', data: JSON.stringify(body) })
        .done(function (res) {
          out.addClass(res.ok ? 'nf-ok' : 'nf-fail').text(res.ok ? res.message : res.code + ': ' + res.message);
        })
        .fail(function (xhr) {
          out.addClass('nf-fail').text(node._(type + '.test.failed') + ' ' + (xhr.status || '') + ' ' + (xhr.statusText || ''));
        });
    });
  }

  /** What every config dialog does when it opens: live checks and the "Test connection" button. */
  function configDialog(node, type, credentials) {
    live(node, type);
    testConnection(node, type, credentials);
  }

  // ---- the SD-WAN endpoint dialog (flows and ILB flows) ----------------------------------------

  function sdwanTemplate(type) {
    var p = 'node-input-';
    addTemplate(type, [
      row('fa-server', p + 'server', type + '.label.server', '<input type="text" id="' + p + 'server">'),
      row('fa-filter', p + 'filter', type + '.label.filter', '<input type="text" id="' + p + 'filter" data-i18n="[placeholder]' + type + '.placeholder.filter">'),
      row('fa-list-ol', p + 'maxStats', type + '.label.maxStats',
        '<select id="' + p + 'maxStats" style="width: 70%;"><option value="" data-i18n="' + type + '.maxStats.default"></option>' +
        '<option value="50">50</option><option value="100">100</option><option value="1000">1000</option></select>'),
      row('fa-database', p + 'store', type + '.label.store', '<input type="text" id="' + p + 'store" style="width: 70%;" data-i18n="[placeholder]' + type + '.placeholder.store">'),
      row('fa-clock-o', p + 'lease', type + '.label.lease', '<input type="text" id="' + p + 'lease" style="width: 100px;" data-i18n="[placeholder]' + type + '.placeholder.lease">'),
      row('fa-tag', p + 'name', type + '.label.name', '<input type="text" id="' + p + 'name" data-i18n="[placeholder]' + type + '.label.name">')
    ].join('\n'));
  }

  /** Everything of an SD-WAN endpoint's definition but its type, colour and palette label. */
  function sdwanEndpoint(type) {
    sdwanTemplate(type);
    return {
      label: function () { return this.name || this._(type + '.paletteLabel'); },
      labelStyle: function () { return this.name ? 'node_label_italic' : ''; },
      inputLabels: function () { return this._(type + '.label.trigger'); },
      outputLabels: function () { return this._(type + '.label.records'); },
      oneditprepare: function () { live(this, type); }
    };
  }

  // ---- palette ---------------------------------------------------------------------------------

  /**
   * `onpaletteadd` of every node: the palette's search matches a node's type and palette label
   * (the `data-palette-label` attribute); the words users look for ("netflow", "sd-wan" with
   * a plain hyphen) are added to what it searches, not to what it shows.
   */
  function paletteSearch() {
    var type = this.type;
    var el = $('.red-ui-palette-node[data-palette-type="' + type + '"]');
    var label = el.attr('data-palette-label') || '';
    var words = ['netflow', 'network flows'];
    var plain = label.replace(/\u2011/g, '-');
    if (plain !== label) words.push(plain);
    el.attr('data-palette-label', label + ' ' + words.join(' '));
  }

  // ---- styles ----------------------------------------------------------------------------------

  $('<style id="nf-editor-styles"></style>').text([
    '.nf-reason { margin: 4px 0 0 104px; color: var(--red-ui-text-color-error, #c02020); font-size: 0.9em; white-space: pre-wrap; word-break: break-word; }',
    '.nf-ok { color: var(--red-ui-text-color-success, #3c763d); }',
    '.nf-fail { color: var(--red-ui-text-color-error, #a94442); }',
    '.nf-test-result { margin: 6px 0 0 104px; word-break: break-word; }',
    // Help: long code lines wrap inside the sidebar instead of running out of it.
    '.red-ui-help pre, .red-ui-help code { white-space: pre-wrap; overflow-wrap: anywhere; }',
    '.red-ui-help pre { max-width: 100%; }'
  ].join('\n')).appendTo(document.head);

  window.NetworkFlowsEditor = {
    PACKAGE: PACKAGE,
    ask: ask,
    read: read,
    validate: validate,
    check: check,
    checked: checked,
    live: live,
    configTemplate: configTemplate,
    configDialog: configDialog,
    testConnection: testConnection,
    sdwanEndpoint: sdwanEndpoint,
    paletteSearch: paletteSearch,
    addTemplate: addTemplate
  };
})();

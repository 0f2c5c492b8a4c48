/*
 * XporY Admin UI (sandbox): every page of /admin/ in one small vanilla script.
 *
 * Each HTML file is an empty shell `<body data-page="...">`; this script draws the page for that
 * data-page value. It talks to the CP admin API on the same origin (`/admin/api/...`), keeps the
 * admin JWT in sessionStorage and sends it as `Authorization: Bearer` on every call (CERT routes
 * ignore it). A 401 `Invalid token` logs the user out and shows the banner "Invalid token" on the
 * login page. What each page shows, and which API number each value is, is listed in README.md.
 */
(function () {
  'use strict';

  var BASE = '/admin/';
  var API = BASE + 'api';
  var ROUTES = {
    login: BASE,
    trades: BASE + 'trades',
    pending: BASE + 'trades/pending',
    notifications: BASE + 'notifications',
    balance: BASE + 'commercial-balance',
    relationships: BASE + 'relationships'
  };
  var NAV = [
    ['trades', 'Negociações'],
    ['pending', 'Aprovações'],
    ['notifications', 'Notificações'],
    ['balance', 'Balança comercial'],
    ['relationships', 'Relacionamentos']
  ];
  var DASH = '—';
  // The personality's labels (/admin/labels.js, sandbox/personality.py); absent = the texts written here.
  var LABELS = window.XPORY_LABELS || {};
  function L(key, fallback) { return Object.prototype.hasOwnProperty.call(LABELS, key) ? LABELS[key] : fallback; }
  function LT(key, fallback, values) {
    return L(key, fallback).replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m; });
  }
  var LOADING = L('loading', 'Carregando') + '…';
  var ROW_ID = L('trades.row_id', 'tradeId');  // the field of GET /trades the trades screen shows in each row
  var KEYS = {
    token: 'xporyAdmin.token',
    user: 'xporyAdmin.user',
    flash: 'xporyAdmin.flash',
    decided: 'xporyAdmin.decided'
  };
  var STATUSES = ['active', 'paused', 'blocked', 'inactive'];
  var STATUS_LABELS = { active: 'Ativo', paused: 'Pausado', blocked: 'Bloqueado', inactive: 'Inativo' };

  // ---------------------------------------------------------------- DOM helpers

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined || value === false) return;
        if (key === 'class') el.className = value;
        else if (key === 'dataset') Object.keys(value).forEach(function (k) { el.dataset[k] = value[k]; });
        else if (key === 'style') el.setAttribute('style', value);
        else if (key.slice(0, 2) === 'on' && typeof value === 'function') el.addEventListener(key.slice(2), value);
        else if (value === true) el.setAttribute(key, '');
        else el.setAttribute(key, String(value));
      });
    }
    appendAll(el, Array.prototype.slice.call(arguments, 2));
    return el;
  }

  function appendAll(el, children) {
    children.forEach(function (child) {
      if (Array.isArray(child)) { appendAll(el, child); return; }
      if (child === null || child === undefined || child === false) return;
      el.append(child instanceof Node ? child : String(child));
    });
    return el;
  }

  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  function replace(el) { clear(el); return appendAll(el, Array.prototype.slice.call(arguments, 1)); }

  function present(value) { return value !== null && value !== undefined && String(value).trim() !== ''; }

  function text(value) { return present(value) ? String(value) : DASH; }

  function fmtNumber(value, digits) {
    if (!present(value)) return DASH;
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    return digits === undefined ? String(n) : n.toFixed(digits);
  }

  function fmtMoney(value) { return fmtNumber(value, 2); }

  function fmtDate(value) {
    if (!present(value)) return DASH;
    var d = new Date(value);
    if (isNaN(d.getTime())) return String(value);
    return d.toLocaleString('pt-BR');
  }

  function timeEl(value) {
    return present(value) ? h('time', { datetime: String(value) }, fmtDate(value)) : DASH;
  }

  function statusBadge(status) {
    var code = present(status) ? String(status) : 'UNKNOWN';
    return h('span', { class: 'badge status-' + code.toLowerCase() }, code);
  }

  /* A <dl> row: label + value; `testid` names the <dd> and `raw` keeps the API value unformatted. */
  function row(label, value, testid, raw) {
    var dd = h('dd', { 'data-testid': testid || null }, value === null || value === undefined || value === '' ? DASH : value);
    if (raw !== undefined) dd.dataset.value = raw === null || raw === undefined ? '' : String(raw);
    return [h('dt', null, label), dd];
  }

  function fold(s) {
    return String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  function qs(params) {
    var out = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (present(params[k])) out.set(k, params[k]); });
    var s = out.toString();
    return s ? '?' + s : '';
  }

  function param(name) {
    var v = new URLSearchParams(location.search).get(name);
    return present(v) ? v : null;
  }

  // ---------------------------------------------------------------- session

  function store() { try { return window.sessionStorage; } catch (e) { return null; } }
  function getToken() { var s = store(); return s ? s.getItem(KEYS.token) : null; }
  function getUser() {
    var s = store();
    try { return JSON.parse((s && s.getItem(KEYS.user)) || 'null'); } catch (e) { return null; }
  }
  function setSession(token, user) {
    var s = store(); if (!s) return;
    s.setItem(KEYS.token, token);
    s.setItem(KEYS.user, JSON.stringify(user || null));
  }
  function clearSession() {
    var s = store(); if (!s) return;
    s.removeItem(KEYS.token); s.removeItem(KEYS.user); s.removeItem(KEYS.decided);
  }
  function setFlash(message) { var s = store(); if (s) s.setItem(KEYS.flash, message); }
  function takeFlash() {
    var s = store(); if (!s) return null;
    var m = s.getItem(KEYS.flash); s.removeItem(KEYS.flash); return m;
  }

  function currentLocation() {
    var path = location.pathname.length > BASE.length ? location.pathname.replace(/\/+$/, '') : location.pathname;
    return path + location.search;
  }

  function goLogin(message) {
    clearSession();
    if (message) setFlash(message);
    location.replace(ROUTES.login + qs({ next: currentLocation() }));
  }

  function safeNext(next) {
    if (!present(next) || next.indexOf(BASE) !== 0 || next.indexOf('//') !== -1) return ROUTES.trades;
    var path = next.split('?')[0];
    return (path === BASE || path === BASE + 'index.html') ? ROUTES.trades : next;
  }

  // ---------------------------------------------------------------- API

  function ApiError(status, message, body) {
    this.name = 'ApiError';
    this.status = status;
    this.message = message;
    this.body = body;
  }
  ApiError.prototype = Object.create(Error.prototype);

  /* Calls the admin API. Resolves to the parsed JSON (null for an empty body); rejects with ApiError.
     A 401 Invalid token / Missing bearer token ends the session and never settles (the page leaves). */
  function api(method, path, body, options) {
    options = options || {};
    var headers = { Accept: 'application/json' };
    var token = getToken();
    if (token) headers.Authorization = 'Bearer ' + token;
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (raw) {
        var data = null;
        if (raw) { try { data = JSON.parse(raw); } catch (e) { data = null; } }
        if (res.ok) return data;
        var message = data && typeof data === 'object' && data.error ? String(data.error) : 'HTTP ' + res.status;
        if (res.status === 401 && !options.noAuthRedirect &&
            (message === 'Invalid token' || message === 'Missing bearer token')) {
          goLogin(message);
          return new Promise(function () {});
        }
        throw new ApiError(res.status, message, data);
      });
    }, function (err) {
      throw new ApiError(0, 'Falha de rede: ' + (err && err.message ? err.message : err), null);
    });
  }

  function errorText(err, prefix) {
    var msg = err && err.message ? err.message : String(err);
    if (err && err.body && Array.isArray(err.body.details) && err.body.details.length) {
      msg += ' (' + err.body.details.join('; ') + ')';
    }
    if (err && err.status) msg += ' [HTTP ' + err.status + ']';
    return prefix ? prefix + ': ' + msg : msg;
  }

  var wlCache = null;
  function loadWls() {
    if (!wlCache) {
      wlCache = api('GET', '/wls?limit=200').then(function (data) {
        return (data && data.items) || [];
      }, function (err) { wlCache = null; throw err; });
    }
    return wlCache;
  }
  function wlNameMap(wls) {
    var map = {};
    wls.forEach(function (wl) { map[wl.id] = wl.name || wl.id; });
    return map;
  }
  function wlName(map, id, fallback) {
    if (!present(id)) return present(fallback) ? fallback : DASH;
    return map[id] || (present(fallback) ? fallback : id);
  }

  // ---------------------------------------------------------------- feedback (alerts, toasts)

  /* Shows an error in `region` as role="alert" (replacing any previous one). */
  function showAlert(region, message) {
    replace(region, h('div', { role: 'alert', class: 'alert', 'aria-label': L('alert.name', null) }, message));
  }
  function clearAlert(region) { clear(region); }

  var toastTimer = null;
  function toast(message) {
    var region = document.getElementById('toast');
    if (!region) return;
    replace(region, h('span', { class: 'toast-text' }, message));
    region.classList.add('visible');
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { region.classList.remove('visible'); clear(region); }, 8000);
  }

  // ---------------------------------------------------------------- layout

  function layout(page, title) {
    var user = getUser();
    var nav = h('ul', null, NAV.map(function (item) {
      return h('li', null, h('a', { href: ROUTES[item[0]], 'aria-current': item[0] === page ? 'page' : null }, item[1]));
    }));
    var header = h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: ROUTES.trades }, 'XporY · Control Plane'),
      h('nav', { 'aria-label': 'Principal' }, nav),
      h('div', { class: 'session' },
        user ? h('span', { class: 'who', 'data-testid': 'current-user' }, (user.role ? LT('signed_in', '{email} ({role})', { email: user.email, role: user.role }) : user.email)) : null,
        h('button', { type: 'button', class: 'link', onclick: function () { clearSession(); location.assign(ROUTES.login); } }, 'Sair')));
    var main = h('main', { id: 'main' }, h('h1', null, title));
    document.title = title + ' · XporY Admin';
    document.body.append(
      h('a', { class: 'skip', href: '#main' }, 'Pular para o conteúdo'),
      header, main,
      h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite', 'aria-label': L('toast.name', null) }));
    return main;
  }

  function loading(el) { replace(el, h('p', { class: 'muted', 'aria-busy': 'true' }, LOADING)); }

  function filterNote(container, parts, clearHref) {
    if (!parts.length) return;
    container.append(h('p', { class: 'filters', 'data-testid': 'active-filters' },
      'Filtro: ', parts.join(' · '), ' ', h('a', { href: clearHref }, 'Limpar filtro')));
  }

  // ---------------------------------------------------------------- modal dialogs

  /* A native modal <dialog> named by its heading; removed from the DOM when closed. */
  function modal(title, idBase) {
    var titleId = idBase + '-title';
    var body = h('div', { class: 'modal-body' });
    var dlg = h('dialog', { class: 'modal', 'aria-labelledby': titleId, 'data-testid': idBase },
      h('div', { class: 'modal-head' },
        h('h2', { id: titleId }, title),
        h('button', { type: 'button', class: 'icon', 'aria-label': 'Fechar', onclick: function () { dlg.close(); } }, '×')),
      body);
    dlg.addEventListener('close', function () { dlg.remove(); });
    document.body.append(dlg);
    dlg.showModal();
    return { dialog: dlg, body: body, close: function () { if (dlg.open) dlg.close(); } };
  }

  /* "Detalhes do trade": GET /trades/{id}/details. Core fields always shown ("—" when missing). */
  function openTradeDetails(tradeId) {
    var m = modal(L('details.dialog', 'Detalhes do trade'), 'trade-details');
    var content = h('div', { class: 'details-content' });
    m.body.append(h('p', { class: 'muted' }, 'Trade ', h('code', null, tradeId)), content,
      h('div', { class: 'modal-actions' }, h('button', { type: 'button', onclick: m.close }, 'Fechar')));
    loading(content);
    api('GET', '/trades/' + encodeURIComponent(tradeId) + '/details').then(function (d) {
      d = d || {};
      var exp = d.exporter || {};
      var imp = d.importer || {};
      var offer = present(d.offerName) ? d.offerName : null;
      var extra = [];
      function optional(label, value, testid) { if (present(value)) extra.push(row(label, value, testid)); }
      optional('ID externo', d.externalTradeId, 'detail-external-id');
      optional('Oferta de origem', d.originOfferId, 'detail-origin-offer-id');
      if (present(d.originalOfferUrl)) {
        extra.push(row('Oferta original', h('a', { href: d.originalOfferUrl, target: '_blank', rel: 'noopener' }, d.originalOfferUrl), 'detail-offer-url'));
      }
      optional('WL do comprador', imp.wlName || d.wlImporterName, 'detail-buyer-wl');
      optional('WL do vendedor', exp.wlName || d.wlExporterName, 'detail-seller-wl');
      optional('Preço no vendedor', present(exp.price) ? fmtMoney(exp.price) : null, 'detail-seller-price');
      optional('Preço no comprador', present(imp.price) ? fmtMoney(imp.price) : null, 'detail-buyer-price');
      optional('Valor total (vendedor)', present(d.exporterTotalValue) ? fmtMoney(d.exporterTotalValue) : null, 'detail-seller-total');
      optional('Valor total (comprador)', present(d.importerTotalValue) ? fmtMoney(d.importerTotalValue) : null, 'detail-buyer-total');
      replace(content,
        h('dl', { class: 'details', 'data-testid': 'trade-details-core' },
          row(L('details.offer', 'Oferta'), text(offer), 'detail-offer'),
          row(L('details.buyer', 'Comprador'), text(imp.clientName), 'detail-buyer'),
          row(L('details.buyer_phone', 'Contato do comprador'), text(imp.clientPhone), 'detail-buyer-phone'),
          row(L('details.seller', 'Vendedor'), text(exp.clientName), 'detail-seller'),
          row(L('details.seller_phone', 'Contato do vendedor'), text(exp.clientPhone), 'detail-seller-phone')),
        extra.length ? h('dl', { class: 'details secondary', 'data-testid': 'trade-details-extra' }, extra) : null);
    }, function (err) {
      replace(content, h('div', { role: 'alert', class: 'alert' }, errorText(err, 'Não foi possível carregar os detalhes')));
    });
    return m;
  }

  // ---------------------------------------------------------------- page: login

  function pageLogin() {
    document.title = 'Entrar · XporY Admin';
    var flash = takeFlash();
    var errors = h('div', { class: 'alert-region' });
    var email = h('input', { id: 'login-email', name: 'email', type: 'email', autocomplete: 'username', required: true });
    var password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    var submit = h('button', { type: 'submit', class: 'primary' }, L('login.submit', 'Entrar'));
    var form = h('form', { class: 'card login', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'login-email' }, L('login.email', 'E-mail')), email),
      h('div', { class: 'field' }, h('label', { for: 'login-password' }, L('login.password', 'Senha')), password),
      errors,
      submit);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearAlert(errors);
      submit.disabled = true;
      api('POST', '/auth/login', { email: email.value, password: password.value }, { noAuthRedirect: true })
        .then(function (data) {
          if (!data || !data.token) throw new ApiError(0, 'Resposta de login sem token', data);
          setSession(data.token, data.user || { email: email.value });
          location.assign(safeNext(param('next')));
        })
        .catch(function (err) {
          showAlert(errors, err.status === 401 ? err.message : errorText(err, 'Falha no login'));
          submit.disabled = false;
          password.focus();
        });
    });
    var main = h('main', { id: 'main', class: 'login-page' },
      flash ? h('div', { role: 'alert', class: 'alert banner', 'data-testid': 'session-banner' },
        h('strong', null, flash), ' — sua sessão não é mais válida; entre novamente.') : null,
      h('h1', null, 'XporY · Control Plane'),
      h('p', { class: 'muted' }, 'Acesso administrativo'),
      form);
    document.body.append(main);
    email.focus();
  }

  // ---------------------------------------------------------------- page: trades

  var TRADES_PAGE = 50;

  function pageTrades(main) {
    var sourceId = param('sourceId') || param('wlExporter');
    var targetId = param('targetId') || param('wlImporter');
    var status = param('status');
    var offset = 0;
    var filterBox = h('div');
    var alerts = h('div', { class: 'alert-region' });
    var summary = h('p', { class: 'muted', 'data-testid': 'trades-count' });
    var tbody = h('tbody');
    var pager = h('div', { class: 'pager' });
    var table = h('table', { class: 'grid', 'aria-label': L('trades.table', 'Lista de negociações'), 'data-testid': 'trades-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, L('trades.trade_column', 'Trade')), h('th', { scope: 'col' }, L('trades.status_column', 'Status')),
        h('th', { scope: 'col' }, 'WL exportadora'), h('th', { scope: 'col' }, 'WL importadora'),
        h('th', { scope: 'col' }, 'Oferta'), h('th', { scope: 'col', class: 'num' }, 'Valor'),
        h('th', { scope: 'col' }, 'Data'), h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Ações')))),
      tbody);
    main.append(filterBox,
      h('div', { class: 'toolbar' }, summary, h('button', { type: 'button', onclick: function () { load(); } }, L('trades.refresh', 'Atualizar'))),
      alerts, h('div', { class: 'table-wrap' }, table), pager);

    function load() {
      clearAlert(alerts);
      replace(tbody, h('tr', null, h('td', { colspan: 8, class: 'muted' }, LOADING)));
      var query = qs({ limit: TRADES_PAGE, offset: offset, sourceId: sourceId, targetId: targetId, status: status });
      Promise.all([api('GET', '/trades' + query), loadWls().catch(function () { return []; })]).then(function (res) {
        var data = res[0] || {};
        var names = wlNameMap(res[1]);
        clear(filterBox);
        var parts = [];
        if (sourceId) parts.push('origem ' + wlName(names, sourceId));
        if (targetId) parts.push('destino ' + wlName(names, targetId));
        if (status) parts.push('status ' + status);
        filterNote(filterBox, parts, ROUTES.trades);
        var items = data.items || [];
        var count = typeof data.count === 'number' ? data.count : items.length;
        summary.textContent = count + (count === 1 ? ' negociação' : ' negociações');
        summary.dataset.count = String(count);
        clear(tbody);
        if (!items.length) {
          tbody.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'Nenhuma negociação encontrada.')));
        }
        items.forEach(function (t) {
          tbody.append(h('tr', { 'data-trade-id': t.tradeId, 'data-status': t.status || 'UNKNOWN' },
            h('td', null, h('code', null, text(t[ROW_ID]))),
            h('td', { 'data-testid': 'trade-status' }, statusBadge(t.status)),
            h('td', null, wlName(names, t.wlExporter, t.wlExporterName)),
            h('td', null, wlName(names, t.wlImporter, t.wlImporterName)),
            h('td', null, text(t.offerName)),
            h('td', { class: 'num', 'data-value': present(t.totalValue) ? t.totalValue : '' }, fmtMoney(t.totalValue)),
            h('td', null, timeEl(t.createdAt)),
            h('td', null, h('button', { type: 'button', onclick: function () { openTradeDetails(t.tradeId); } }, L('trades.details', 'Detalhes')))));
        });
        clear(pager);
        if (count > TRADES_PAGE) {
          var pages = Math.ceil(count / TRADES_PAGE);
          var current = Math.floor(offset / TRADES_PAGE) + 1;
          pager.append(
            h('button', { type: 'button', disabled: current <= 1, onclick: function () { offset -= TRADES_PAGE; load(); } }, 'Anterior'),
            h('span', null, 'Página ' + current + ' de ' + pages),
            h('button', { type: 'button', disabled: current >= pages, onclick: function () { offset += TRADES_PAGE; load(); } }, 'Próxima'));
        }
      }).catch(function (err) {
        clear(tbody);
        showAlert(alerts, errorText(err, 'Não foi possível carregar as negociações'));
      });
    }
    load();
  }

  // ---------------------------------------------------------------- page: pending approvals

  function getDecided() {
    var s = store();
    try { return JSON.parse((s && s.getItem(KEYS.decided)) || '[]'); } catch (e) { return []; }
  }
  function addDecided(entry) {
    var list = getDecided().filter(function (e) { return e.tradeId !== entry.tradeId; });
    list.unshift(entry);
    var s = store(); if (s) s.setItem(KEYS.decided, JSON.stringify(list.slice(0, 100)));
  }

  function pagePending(main) {
    var wlExporter = param('wlExporter') || param('sourceId');
    var wlImporter = param('wlImporter') || param('targetId');
    var counter = h('p', { class: 'counter', 'aria-label': 'Pendentes', 'data-testid': 'pending-count' }, LT('pending.counter', 'Pendentes: {n}', { n: '…' }));
    var filterBox = h('div');
    var alerts = h('div', { class: 'alert-region' });
    var tbody = h('tbody');
    var decidedBody = h('tbody');
    main.append(filterBox,
      h('div', { class: 'toolbar' }, counter, h('button', { type: 'button', onclick: function () { load(); } }, 'Atualizar')),
      alerts,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', 'aria-label': L('pending.table', 'Fila de aprovação'), 'data-testid': 'pending-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Trade'), h('th', { scope: 'col' }, 'WL exportadora'), h('th', { scope: 'col' }, 'WL importadora'),
          h('th', { scope: 'col' }, 'Oferta de origem'), h('th', { scope: 'col', class: 'num' }, 'Qtd.'),
          h('th', { scope: 'col', class: 'num' }, 'Valor'), h('th', { scope: 'col' }, 'Recebido em'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Ações')))),
        tbody)),
      h('section', { class: 'decided', 'aria-labelledby': 'decided-title' },
        h('h2', { id: 'decided-title' }, 'Decididos nesta sessão'),
        h('div', { class: 'table-wrap' }, h('table', { class: 'grid', 'aria-label': 'Decididos nesta sessão', 'data-testid': 'decided-table' },
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, 'Trade'), h('th', { scope: 'col' }, 'Decisão'), h('th', { scope: 'col' }, 'Status'),
            h('th', { scope: 'col' }, 'Motivo'), h('th', { scope: 'col' }, 'Resposta do exportador'), h('th', { scope: 'col' }, 'Decidido em'))),
          decidedBody))));

    function renderDecided() {
      clear(decidedBody);
      var list = getDecided();
      if (!list.length) {
        decidedBody.append(h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'Nenhuma decisão nesta sessão.')));
      }
      list.forEach(function (e) {
        decidedBody.append(h('tr', { 'data-trade-id': e.tradeId, 'data-status': e.statusAfter || '' },
          h('td', null, h('code', null, e.tradeId)),
          h('td', null, text(e.decision)),
          h('td', { 'data-testid': 'decided-status' }, statusBadge(e.statusAfter)),
          h('td', null, text(e.reason)),
          h('td', null, present(e.exporterStatus) ? 'HTTP ' + e.exporterStatus : DASH),
          h('td', null, timeEl(e.decidedAt))));
      });
    }

    function decide(trade, action, reason, buttons) {
      clearAlert(alerts);
      buttons.forEach(function (b) { b.disabled = true; });
      var body = action === 'reject' && present(reason) ? { reason: reason } : {};
      return api('POST', '/trades/' + encodeURIComponent(trade.tradeId) + '/' + action, body).then(function (res) {
        var approval = (res && res.approval) || {};
        var exporter = (res && res.exporter) || {};
        addDecided({
          tradeId: trade.tradeId,
          decision: approval.decision || (action === 'approve' ? 'APPROVED' : 'REJECTED'),
          statusAfter: approval.statusAfter || exporter.statusAfter || null,
          reason: approval.reason || (present(reason) ? reason : null),
          exporterStatus: exporter.statusCode,
          decidedAt: approval.createdAt || new Date().toISOString()
        });
        toast('Trade ' + trade.tradeId + ' ' + (action === 'approve' ? L('pending.approved_word', 'aprovado') : L('pending.rejected_word', 'rejeitado')) +
          ': ' + (approval.statusAfter || exporter.statusAfter || DASH));
        renderDecided();
        return true;
      }, function (err) {
        showAlert(alerts, errorText(err, 'Não foi possível ' + (action === 'approve' ? 'aprovar' : 'rejeitar') + ' o trade ' + trade.tradeId));
        return false;
      }).then(function (ok) {
        load();
        return ok;
      });
    }

    function askReject(trade, buttons) {
      var m = modal(L('pending.reject_dialog', 'Rejeitar trade'), 'reject-dialog');
      var reason = h('input', { id: 'reject-reason', name: 'reason', type: 'text', autocomplete: 'off' });
      var confirm = h('button', { type: 'submit', class: 'danger' }, L('pending.reject_confirm', 'Confirmar rejeição'));
      var form = h('form', { class: 'form' },
        h('p', null, 'Trade ', h('code', null, trade.tradeId)),
        h('div', { class: 'field' }, h('label', { for: 'reject-reason' }, L('pending.reject_reason', 'Motivo')), reason),
        h('div', { class: 'modal-actions' },
          h('button', { type: 'button', onclick: m.close }, 'Cancelar'), confirm));
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        confirm.disabled = true;
        var value = reason.value.trim();
        m.close();
        decide(trade, 'reject', value, buttons);
      });
      m.body.append(form);
      reason.focus();
    }

    function load() {
      replace(tbody, h('tr', null, h('td', { colspan: 8, class: 'muted' }, LOADING)));
      Promise.all([api('GET', '/trades/pending' + qs({ wlExporter: wlExporter, wlImporter: wlImporter })),
                   loadWls().catch(function () { return []; })]).then(function (res) {
        var data = res[0] || {};
        var names = wlNameMap(res[1]);
        var items = data.items || [];
        var count = typeof data.count === 'number' ? data.count : items.length;
        counter.textContent = LT('pending.counter', 'Pendentes: {n}', { n: count });
        counter.dataset.count = String(count);
        clear(filterBox);
        var parts = [];
        if (wlExporter) parts.push('exportadora ' + wlName(names, wlExporter));
        if (wlImporter) parts.push('importadora ' + wlName(names, wlImporter));
        filterNote(filterBox, parts, ROUTES.pending);
        clear(tbody);
        if (!items.length) tbody.append(h('tr', null, h('td', { colspan: 8, class: 'muted' }, 'Nenhum trade pendente.')));
        items.forEach(function (t) {
          var buttons = [];
          var details = h('button', { type: 'button', onclick: function () { openTradeDetails(t.tradeId); } }, 'Ver detalhes');
          var approve = h('button', { type: 'button', class: 'primary', onclick: function () { decide(t, 'approve', null, buttons); } }, L('pending.approve', 'Aprovar'));
          var reject = h('button', { type: 'button', class: 'danger', onclick: function () { askReject(t, buttons); } }, L('pending.reject', 'Rejeitar'));
          buttons.push(approve, reject);
          tbody.append(h('tr', { 'data-trade-id': t.tradeId },
            h('td', null, h('code', null, t.tradeId)),
            h('td', null, wlName(names, t.originWhiteLabelId, t.wlExporterName)),
            h('td', null, wlName(names, t.targetWhiteLabelId, t.wlImporterName)),
            h('td', null, text(t.originOfferId)),
            h('td', { class: 'num' }, text(t.requestedQuantity)),
            h('td', { class: 'num', 'data-value': present(t.totalValue) ? t.totalValue : '' }, fmtMoney(t.totalValue)),
            h('td', null, timeEl(t.eventTimestamp)),
            h('td', { class: 'actions' }, details, approve, reject)));
        });
      }).catch(function (err) {
        clear(tbody);
        counter.textContent = LT('pending.counter', 'Pendentes: {n}', { n: DASH });
        showAlert(alerts, errorText(err, 'Não foi possível carregar os trades pendentes'));
      });
    }
    renderDecided();
    load();
  }

  // ---------------------------------------------------------------- page: notifications

  function notificationTarget(n) {
    var action = n.action || {};
    var p = action.payload || {};
    var src = p.sourceId || p.wlExporter || n.originWhiteLabelId;
    var dst = p.targetId || p.wlImporter || n.targetWhiteLabelId;
    switch (action.type) {
      case 'OPEN_TRADES': return ROUTES.trades + qs({ sourceId: src, targetId: dst });
      case 'OPEN_PENDING_TRADES': return ROUTES.pending + qs({ wlExporter: src, wlImporter: dst });
      case 'OPEN_RELATIONSHIP': return ROUTES.relationships + qs({ sourceId: src, targetId: dst });
      case 'OPEN_TRADE_BALANCE': return ROUTES.balance + qs({ from: p.from, to: p.to, version: p.reportVersion });
      default: return null;
    }
  }

  var NOTIFICATION_PAGE = 50;

  function pageNotifications(main) {
    var unread = h('p', { class: 'counter', 'aria-label': 'Não lidas', 'data-testid': 'unread-count' }, LT('notifications.unread', 'Não lidas: {n}', { n: '…' }));
    var summary = h('p', { class: 'muted', 'data-testid': 'notifications-count' });
    var alerts = h('div', { class: 'alert-region' });
    var list = h('ul', { class: 'notifications', 'aria-label': L('notifications.list', 'Notificações recentes'), 'data-testid': 'notifications-list' });
    var more = h('div', { class: 'pager' });
    var items = [];
    main.append(
      h('div', { class: 'toolbar' }, unread, summary, h('button', { type: 'button', onclick: function () { load(); } }, 'Atualizar')),
      alerts, list, more);

    function loadUnread() {
      return api('GET', '/notifications/unread-count').then(function (d) {
        var count = d && typeof d.count === 'number' ? d.count : 0;
        unread.textContent = LT('notifications.unread', 'Não lidas: {n}', { n: count });
        unread.dataset.count = String(count);
      });
    }

    function open(n, ev) {
      ev.preventDefault();
      var target = notificationTarget(n);
      var mark = n.readAt ? Promise.resolve() : api('POST', '/notifications/' + encodeURIComponent(n.id) + '/read', {});
      mark.then(function () {
        if (target) location.assign(target); else load();
      }, function (err) {
        showAlert(alerts, errorText(err, 'Não foi possível marcar a notificação como lida'));
        if (target) location.assign(target);
      });
    }

    // A personality may mark a notification read with its own control (no navigation) besides the click.
    function markButton(n) {
      var label = L('notifications.mark_read', '');
      if (!label || n.readAt) return null;
      return h('button', { type: 'button', class: 'n-mark', onclick: function () {
        api('POST', '/notifications/' + encodeURIComponent(n.id) + '/read', {}).then(function () { load(); }, function (err) {
          showAlert(alerts, errorText(err, 'Não foi possível marcar a notificação como lida'));
        });
      } }, label);
    }

    function render(names) {
      clear(list);
      if (!items.length) list.append(h('li', { class: 'muted' }, 'Nenhuma notificação.'));
      items.forEach(function (n) {
        var target = notificationTarget(n);
        var wls = wlName(names, n.originWhiteLabelId) + ' → ' + wlName(names, n.targetWhiteLabelId);
        list.append(h('li', { class: 'notification' + (n.readAt ? ' read' : ' unread'), 'data-id': n.id, 'data-type': n.type || '',
                             'data-action': n.action && n.action.type ? n.action.type : '' },
          h(L('notifications.item_role', 'link') === 'button' ? 'button' : 'a',
            L('notifications.item_role', 'link') === 'button'
              ? { type: 'button', class: 'n-link', onclick: function (ev) { open(n, ev); } }
              : { href: target || '#', onclick: function (ev) { open(n, ev); } },
            h('span', { class: 'n-head' },
              h('strong', { class: 'n-title' }, text(n.title)),
              n.readAt ? null : h('span', { class: 'badge new' }, 'Nova'),
              h('span', { class: 'n-time' }, timeEl(n.createdAt))),
            h('span', { class: 'n-message' }, text(n.message)),
            h('span', { class: 'n-wls' }, 'WLs: ' + wls)),
          markButton(n)));
      });
    }

    function load(append) {
      clearAlert(alerts);
      if (!append) { items = []; loading(list); }
      var offset = items.length;
      Promise.all([
        api('GET', '/notifications' + qs({ limit: NOTIFICATION_PAGE, offset: offset })),
        loadWls().catch(function () { return []; }),
        loadUnread()
      ]).then(function (res) {
        var data = res[0] || {};
        items = items.concat(data.items || []);
        var count = typeof data.count === 'number' ? data.count : items.length;
        summary.textContent = count + (count === 1 ? ' notificação' : ' notificações');
        summary.dataset.count = String(count);
        render(wlNameMap(res[1]));
        clear(more);
        if (items.length < count) {
          more.append(h('button', { type: 'button', onclick: function () { load(true); } }, 'Carregar mais'));
        }
      }).catch(function (err) {
        clear(list);
        showAlert(alerts, errorText(err, 'Não foi possível carregar as notificações'));
      });
    }
    load();
  }

  // ---------------------------------------------------------------- page: commercial balance

  function loadRelationships() {
    return api('GET', '/relationships?limit=200').then(function (d) { return (d && d.items) || []; });
  }

  function partnersOf(origin, relationships) {
    var set = {};
    relationships.forEach(function (r) {
      if (r.sourceId === origin && r.targetId) set[r.targetId] = true;
      if (r.targetId === origin && r.sourceId) set[r.sourceId] = true;
    });
    return set;
  }

  /* A custom combobox over a (hidden) native <select>: a button with role combobox and a listbox of
     role option items, kept in step with the select's options; choosing one sets the select and fires change. */
  function customSelect(select, name) {
    var list = h('ul', { role: 'listbox', class: 'custom-listbox', 'aria-label': name, hidden: true });
    var button = h('button', { type: 'button', role: 'combobox', class: 'custom-select', 'aria-label': name,
                               'aria-haspopup': 'listbox', 'aria-expanded': 'false' });
    function close() { list.hidden = true; button.setAttribute('aria-expanded', 'false'); }
    function sync() {
      var chosen = select.options[select.selectedIndex];
      button.textContent = chosen ? chosen.textContent : '';
      button.disabled = select.disabled;
      replace(list, Array.prototype.filter.call(select.options, function (opt) { return opt.value !== ''; }).map(function (opt) {
        return h('li', { role: 'option', 'aria-selected': opt.selected ? 'true' : 'false', 'data-value': opt.value,
                         onclick: function () {
                           select.value = opt.value; close();
                           select.dispatchEvent(new Event('change', { bubbles: true })); sync();
                         } }, opt.textContent);
      }));
    }
    button.addEventListener('click', function () {
      list.hidden = !list.hidden; button.setAttribute('aria-expanded', list.hidden ? 'false' : 'true');
    });
    new MutationObserver(sync).observe(select, { childList: true, subtree: true, attributes: true });
    select.hidden = true;
    select.after(button, list);
    sync();
  }

  function wlOptions(select, wls, placeholder, selected) {
    replace(select, h('option', { value: '' }, placeholder),
      wls.map(function (wl) { return h('option', { value: wl.id }, wl.name || wl.id); }));
    select.value = selected && wls.some(function (wl) { return wl.id === selected; }) ? selected : '';
  }

  function num(v) { var n = Number(v); return isFinite(n) ? n : 0; }

  function pageBalance(main) {
    var origin = h('select', { id: 'balance-origin', name: 'wlExporter', required: true });
    var dest = h('select', { id: 'balance-dest', name: 'wlImporter', required: true });
    var search = h('button', { type: 'submit', class: 'primary' }, 'Buscar');
    var alerts = h('div', { class: 'alert-region' });
    var result = h('div', { class: 'balance-result', 'data-testid': 'balance-result' });
    var form = h('form', { class: 'card filters-form' },
      h('div', { class: 'field' }, h('label', { for: 'balance-origin' }, 'WL origem'), origin),
      h('div', { class: 'field' }, h('label', { for: 'balance-dest' }, 'WL destino'), dest),
      h('div', { class: 'field actions' }, search));
    main.append(form, alerts, result);
    if (L('balance.select_style', 'nativo') !== 'nativo') { customSelect(origin, 'WL origem'); customSelect(dest, 'WL destino'); }

    var wls = [];
    var rels = [];
    var names = {};

    function fillDest(selected) {
      var o = origin.value;
      var partners = o ? partnersOf(o, rels) : {};
      var options = wls.filter(function (wl) { return wl.id !== o && partners[wl.id]; });
      wlOptions(dest, options, o ? (options.length ? 'Selecione…' : 'Nenhum parceiro com relacionamento') : 'Escolha a origem primeiro', selected);
      dest.disabled = !o;
    }

    origin.addEventListener('change', function () { fillDest(null); clear(result); });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      clearAlert(alerts);
      if (!origin.value || !dest.value) { showAlert(alerts, 'Selecione a WL origem e a WL destino.'); return; }
      history.replaceState(null, '', location.pathname + qs({ wlExporter: origin.value, wlImporter: dest.value, from: param('from'), to: param('to') }));
      fetchReport(origin.value, dest.value);
    });

    function fetchReport(o, d) {
      loading(result);
      search.disabled = true;
      var query = qs({ wlExporter: o, wlImporter: d, from: param('from'), to: param('to'), version: param('version') });
      api('GET', '/reports/trade-balance' + query).then(function (report) {
        renderReport(report || {}, o, d);
      }, function (err) {
        clear(result);
        showAlert(alerts, errorText(err, 'Não foi possível carregar a balança comercial'));
      }).then(function () { search.disabled = false; });
    }

    function renderReport(report, o, d) {
      var entry = (report.relationships || []).filter(function (p) {
        return (p.wlAId === o && p.wlBId === d) || (p.wlAId === d && p.wlBId === o);
      })[0];
      var oName = wlName(names, o), dName = wlName(names, d);
      if (!entry) {
        replace(result, h('p', { class: 'empty', 'data-testid': 'balance-empty' },
          'Nenhum relacionamento entre ' + oName + ' e ' + dName + ' no relatório.'));
        return;
      }
      var originIsA = entry.wlAId === o;
      var rel = entry.relationships || {};
      var metrics = entry.tradeMetrics || {};
      var fwdRel = originIsA ? rel.aToB : rel.bToA;      // origem → destino
      var revRel = originIsA ? rel.bToA : rel.aToB;      // destino → origem
      var fwd = (originIsA ? metrics.aToB : metrics.bToA) || {};
      var rev = (originIsA ? metrics.bToA : metrics.aToB) || {};
      function count(status) { return num((fwd.counts || {})[status]) + num((rev.counts || {})[status]); }
      function confirmedTotal(m) { return num((m.totals || {}).CONFIRMED); }
      var counts = { CONFIRMED: count('CONFIRMED'), PENDING: count('PENDING'), REJECTED: count('REJECTED'), UNKNOWN: count('UNKNOWN') };
      var exported = confirmedTotal(fwd), imported = confirmedTotal(rev);
      var totals = entry.totals || {};
      var aName = wlName(names, entry.wlAId), bName = wlName(names, entry.wlBId);
      var reportVersion = (report.filters && report.filters.reportVersion) || 'v1';

      function relRows(r, prefix, suffix) {
        return [
          row(L('balance.status', 'Status') + suffix, r ? text(r.status) : DASH, prefix + 'status', r ? r.status : null),
          row(L('balance.fx', 'FX') + suffix, r ? fmtNumber(r.fxRate) : DASH, prefix + 'fx', r ? r.fxRate : null),
          row(L('balance.limit', 'Limite') + suffix, r ? fmtMoney(r.limitAmount) : DASH, prefix + 'limit', r ? r.limitAmount : null)
        ];
      }

      var max = Math.max(counts.CONFIRMED, counts.PENDING, counts.REJECTED, 1);
      function bar(status, label) {
        var pct = Math.round(counts[status] / max * 100);
        return h('div', { class: 'bar-col' },
          h('div', { class: 'bar-track' },
            h('div', { class: 'bar bar-' + status.toLowerCase(), style: 'height:' + pct + '%', 'data-status': status,
                       'data-value': counts[status], 'data-label': String(counts[status]) })),
          h('div', { class: 'bar-label', 'data-label': label }));
      }

      replace(result,
        h('section', { class: 'card', 'aria-labelledby': 'bal-rel' },
          h('h2', { id: 'bal-rel' }, 'Relacionamento ' + oName + ' → ' + dName),
          h('dl', { class: 'kv', 'data-testid': 'balance-relationship' },
            relRows(fwdRel, 'rel-', ''),
            relRows(revRel, 'rel-reverse-', ' (inverso)'),
            row('Última negociação', timeEl(entry.lastTradeAt), 'last-trade-at', entry.lastTradeAt))),
        h('section', { class: 'card', 'aria-labelledby': 'bal-counts' },
          h('h2', { id: 'bal-counts' }, 'Negociações por status'),
          h('dl', { class: 'kv counts', 'data-testid': 'balance-counts' },
            row('Confirmadas', String(counts.CONFIRMED), 'count-CONFIRMED', counts.CONFIRMED),
            row('Pendentes', String(counts.PENDING), 'count-PENDING', counts.PENDING),
            row('Rejeitadas', String(counts.REJECTED), 'count-REJECTED', counts.REJECTED),
            counts.UNKNOWN ? row('Sem status', String(counts.UNKNOWN), 'count-UNKNOWN', counts.UNKNOWN) : null),
          h('div', { class: 'chart', role: 'img', 'data-testid': 'balance-chart',
                     'aria-label': 'Gráfico de barras: Confirmadas ' + counts.CONFIRMED + ', Pendentes ' + counts.PENDING +
                                   ', Rejeitadas ' + counts.REJECTED },
            bar('CONFIRMED', 'Confirmadas'), bar('PENDING', 'Pendentes'), bar('REJECTED', 'Rejeitadas')),
          h('p', { class: 'muted small' }, 'Contagens do relatório ' + reportVersion +
            ' somando os dois sentidos (origem → destino e destino → origem); no modo v1 cada evento de telemetria conta.')),
        h('section', { class: 'card', 'aria-labelledby': 'bal-totals' },
          h('h2', { id: 'bal-totals' }, 'Totais'),
          h('dl', { class: 'kv', 'data-testid': 'balance-totals' },
            row(L('balance.origin_exported', 'Exportado pela origem'), fmtMoney(exported), 'total-origin-exported', exported),
            row(L('balance.origin_imported', 'Importado pela origem'), fmtMoney(imported), 'total-origin-imported', imported),
            row(L('balance.origin_balance', 'Saldo da origem'), fmtMoney(exported - imported), 'total-origin-balance', exported - imported)),
          h('h3', null, 'Totais do relatório (par A = ' + aName + ', B = ' + bName + ')'),
          h('dl', { class: 'kv', 'data-testid': 'balance-report-totals' },
            row(L('balance.total_exported', 'Total exportado (A → B)'), fmtMoney(totals.totalExported), 'total-totalExported', totals.totalExported),
            row(L('balance.total_imported', 'Total importado (B → A)'), fmtMoney(totals.totalImported), 'total-totalImported', totals.totalImported),
            row(L('balance.balance', 'Saldo (A − B)'), fmtMoney(totals.balance), 'total-balance', totals.balance))));
    }

    Promise.all([loadWls(), loadRelationships()]).then(function (res) {
      wls = res[0]; rels = res[1]; names = wlNameMap(wls);
      var o = param('wlExporter') || param('sourceId');
      var d = param('wlImporter') || param('targetId');
      wlOptions(origin, wls, 'Selecione…', o);
      fillDest(d);
      if (origin.value && dest.value) fetchReport(origin.value, dest.value);
    }).catch(function (err) {
      showAlert(alerts, errorText(err, 'Não foi possível carregar as WLs'));
    });
  }

  // ---------------------------------------------------------------- page: relationships

  function pageRelationships(main) {
    var alerts = h('div', { class: 'alert-region' });
    var summary = h('p', { class: 'muted', 'data-testid': 'relationships-count' });
    var tbody = h('tbody');
    var wls = [];
    var names = {};
    var focusSrc = param('sourceId'), focusDst = param('targetId');
    main.append(
      h('div', { class: 'toolbar' }, summary,
        h('button', { type: 'button', onclick: function () { load(); } }, 'Atualizar'),
        h('button', { type: 'button', class: 'primary', onclick: function () { openEditor(null); } }, 'Novo')),
      alerts,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', 'aria-label': L('relationships.table', 'Lista de relacionamentos'), 'data-testid': 'relationships-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Origem → destino'), h('th', { scope: 'col' }, 'Status'),
          h('th', { scope: 'col', class: 'num' }, 'FX'), h('th', { scope: 'col', class: 'num' }, 'Limite'),
          h('th', { scope: 'col' }, 'Aprovação'), h('th', { scope: 'col' }, 'Atualizado em'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Ações')))),
        tbody)));

    function load() {
      replace(tbody, h('tr', null, h('td', { colspan: 7, class: 'muted' }, LOADING)));
      return Promise.all([loadWls(), loadRelationships()]).then(function (res) {
        wls = res[0]; names = wlNameMap(wls);
        var items = res[1];
        summary.textContent = items.length + (items.length === 1 ? ' relacionamento' : ' relacionamentos');
        summary.dataset.count = String(items.length);
        clear(tbody);
        if (!items.length) tbody.append(h('tr', null, h('td', { colspan: 7, class: 'muted' }, 'Nenhum relacionamento.')));
        items.forEach(function (r) {
          var focused = focusSrc && r.sourceId === focusSrc && (!focusDst || r.targetId === focusDst);
          var tr = h('tr', { 'data-source-id': r.sourceId, 'data-target-id': r.targetId, 'data-status': r.status,
                             class: focused ? 'focused' : null, 'aria-current': focused ? 'true' : null },
            h('td', null, LT('relationships.row', '{origem} → {destino}', { origem: wlName(names, r.sourceId), destino: wlName(names, r.targetId) })),
            h('td', null, text(r.status)),
            h('td', { class: 'num' }, fmtNumber(r.fxRate)),
            h('td', { class: 'num' }, fmtMoney(r.limitAmount)),
            h('td', null, text(r.approvalMode)),
            h('td', null, timeEl(r.updatedAt)),
            h('td', null, h('button', { type: 'button', onclick: function () { openEditor(r); } }, L('relationships.edit', 'Editar'))));
          tbody.append(tr);
          if (focused) setTimeout(function () { tr.scrollIntoView({ block: 'center' }); }, 0);
        });
      }).catch(function (err) {
        clear(tbody);
        showAlert(alerts, errorText(err, 'Não foi possível carregar os relacionamentos'));
      });
    }

    /* A "Categorias" or "Entidades" section: checkboxes labelled "<name> <active-offer count>". */
    function snapshotSection(kind) {
      var cfg = kind === 'categories'
        ? { title: 'Categorias', path: 'offer-categories', id: 'categoryId', count: 'activeCount', noun: 'categorias', one: 'selecionada', many: 'selecionadas' }
        : { title: 'Entidades', path: 'entities', id: 'entityId', count: 'activeOffersCount', noun: 'entidades', one: 'selecionada', many: 'selecionadas' };
      var selected = {};
      var items = [];
      var titleId = 'sec-' + kind;
      var searchId = 'search-' + kind;
      var searchBox = h('input', { id: searchId, type: 'search', autocomplete: 'off', placeholder: 'Filtrar por nome' });
      var chosen = h('span', { class: 'muted small', 'data-testid': kind + '-selected' });
      var list = h('ul', { class: 'checklist', 'data-testid': kind + '-list' });
      var section = h('section', { class: 'snapshot', 'aria-labelledby': titleId, 'data-testid': 'section-' + kind },
        h('div', { class: 'snapshot-head' }, h('h3', { id: titleId }, cfg.title), chosen),
        h('div', { class: 'field' }, h('label', { for: searchId }, kind === 'categories' ? L('relationships.category_search', 'Buscar categorias') : 'Buscar ' + cfg.noun), searchBox),
        list);

      function updateChosen() {
        var n = Object.keys(selected).length;
        chosen.textContent = n + ' ' + (n === 1 ? cfg.one : cfg.many);
      }
      function applyFilter() {
        var q = fold(searchBox.value.trim());
        Array.prototype.forEach.call(list.children, function (li) {
          if (!li.dataset.name) return;
          li.hidden = q !== '' && fold(li.dataset.name).indexOf(q) === -1;
        });
      }
      searchBox.addEventListener('input', applyFilter);

      function render() {
        clear(list);
        var known = {};
        items.forEach(function (it) { known[String(it[cfg.id])] = true; });
        var extra = Object.keys(selected).filter(function (id) { return !known[id]; })
          .map(function (id) { var o = { name: id + ' (fora do snapshot)' }; o[cfg.id] = id; o[cfg.count] = null; return o; });
        var all = extra.concat(items);
        if (!all.length) list.append(h('li', { class: 'muted' }, 'Nenhum item sincronizado para esta WL.'));
        all.forEach(function (it) {
          var id = String(it[cfg.id]);
          var cbId = kind + '-' + id.replace(/[^A-Za-z0-9_-]/g, '_');
          var count = it[cfg.count];
          var cb = h('input', { type: 'checkbox', id: cbId, value: id, checked: !!selected[id] });
          cb.addEventListener('change', function () {
            if (cb.checked) selected[id] = true; else delete selected[id];
            updateChosen();
          });
          list.append(h('li', { 'data-id': id, 'data-name': it.name || id, 'data-count': present(count) ? count : '' },
            h('label', { for: cbId }, cb,
              h('span', { class: 'item-name' }, text(it.name || id)), ' ',
              h('span', { class: 'item-count' }, present(count) ? String(count) : DASH))));
        });
        updateChosen();
        applyFilter();
      }

      return {
        el: section,
        select: function (ids) {
          selected = {};
          (ids || []).forEach(function (id) { if (present(id)) selected[String(id)] = true; });
          render();
        },
        selected: function () { return Object.keys(selected); },
        load: function (wlId) {
          items = [];
          if (!wlId) { replace(list, h('li', { class: 'muted' }, 'Escolha a WL origem.')); updateChosen(); return Promise.resolve(); }
          replace(list, h('li', { class: 'muted' }, LOADING));
          return api('GET', '/wls/' + encodeURIComponent(wlId) + '/' + cfg.path + '?limit=1000').then(function (d) {
            items = (d && d.items) || [];
            render();
          }, function (err) {
            replace(list, h('li', null, h('span', { role: 'alert', class: 'alert' }, errorText(err, 'Não foi possível carregar ' + cfg.noun))));
          });
        }
      };
    }

    function sameList(a, b) {
      a = (a || []).map(String).slice().sort(); b = (b || []).map(String).slice().sort();
      return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
    }

    function openEditor(existing) {
      var editing = !!existing;
      var m = modal(editing ? L('relationships.edit_dialog', 'Editar relacionamento') : 'Novo relacionamento', 'relationship-dialog');
      var src = h('select', { id: 'rel-src', name: 'sourceId', required: true, disabled: editing });
      var dst = h('select', { id: 'rel-dst', name: 'targetId', required: true, disabled: editing });
      var status = h('select', { id: 'rel-status', name: 'status' },
        STATUSES.map(function (s) { return h('option', { value: s }, STATUS_LABELS[s] + ' (' + s + ')'); }));
      var fx = h('input', { id: 'rel-fx', name: 'fxRate', type: 'number', step: 'any', min: '0.000001', required: true, inputmode: 'decimal' });
      var limit = h('input', { id: 'rel-limit', name: 'limitAmount', type: 'number', step: 'any', min: '0', required: true, inputmode: 'decimal' });
      var mode = h('select', { id: 'rel-mode', name: 'approvalMode' },
        ['MANUAL', 'AUTO', 'HYBRID'].map(function (v) { return h('option', { value: v }, v); }));
      var errors = h('div', { class: 'alert-region' });
      var save = h('button', { type: 'submit', class: 'primary' }, 'Salvar');
      var categories = snapshotSection('categories');
      var entities = snapshotSection('entities');
      var policy = existing && (existing.export_policy || existing.exportPolicy);
      policy = policy && typeof policy === 'object' ? policy : null;

      wlOptions(src, wls, 'Selecione…', existing ? existing.sourceId : null);
      wlOptions(dst, wls, 'Selecione…', existing ? existing.targetId : null);
      if (existing && !src.value) src.append(h('option', { value: existing.sourceId, selected: true }, existing.sourceId));
      if (existing && !dst.value) dst.append(h('option', { value: existing.targetId, selected: true }, existing.targetId));
      src.value = existing ? existing.sourceId : '';
      dst.value = existing ? existing.targetId : '';
      status.value = existing && STATUSES.indexOf(existing.status) !== -1 ? existing.status : 'active';
      fx.value = existing && present(existing.fxRate) ? String(Number(existing.fxRate)) : '1';
      limit.value = existing && present(existing.limitAmount) ? String(Number(existing.limitAmount)) : '0';
      mode.value = existing && existing.approvalMode ? String(existing.approvalMode).toUpperCase() : 'MANUAL';

      function field(id, label, control) { return h('div', { class: 'field' }, h('label', { for: id }, label), control); }
      var form = h('form', { class: 'form relationship-form', novalidate: true },
        h('div', { class: 'grid-2' },
          field('rel-src', 'WL origem', src), field('rel-dst', 'WL destino', dst),
          field('rel-status', 'Status', status), field('rel-mode', 'Modo de aprovação', mode),
          field('rel-fx', 'Taxa de câmbio (fxRate)', fx), field('rel-limit', 'Limite (limitAmount)', limit)),
        h('p', { class: 'muted small' }, 'Política de exportação da WL origem: itens marcados em Categorias viram ',
          h('code', null, 'include_categories'), ' e em Entidades viram ', h('code', null, 'entity_allowlist'),
          '; nada marcado = sem restrição. O número ao fim de cada item é a quantidade de ofertas ativas.'),
        h('div', { class: 'grid-2 snapshots' }, categories.el, entities.el),
        errors,
        h('div', { class: 'modal-actions' }, h('button', { type: 'button', onclick: m.close }, 'Cancelar'), save));
      m.body.append(form);

      function loadSnapshots() {
        var wlId = src.value;
        categories.select(policy ? policy.include_categories : []);
        entities.select(policy ? policy.entity_allowlist : []);
        categories.load(wlId); entities.load(wlId);
      }
      src.addEventListener('change', function () { policy = null; loadSnapshots(); });
      loadSnapshots();

      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        clearAlert(errors);
        var problems = [];
        if (!src.value) problems.push('escolha a WL origem');
        if (!dst.value) problems.push('escolha a WL destino');
        if (src.value && src.value === dst.value) problems.push('origem e destino devem ser diferentes');
        if (!present(fx.value) || !(Number(fx.value) >= 0.000001)) problems.push('fxRate deve ser um número ≥ 0,000001');
        if (!present(limit.value) || !(Number(limit.value) >= 0)) problems.push('limitAmount deve ser um número ≥ 0');
        if (problems.length) { showAlert(errors, 'Corrija: ' + problems.join('; ') + '.'); return; }
        var user = getUser() || {};
        var body = {
          status: status.value,
          fxRate: Number(fx.value),
          limitAmount: Number(limit.value),
          approvalMode: mode.value,
          updatedBy: user.email || 'admin-ui',
          updatedSource: 'admin-ui'
        };
        var cats = categories.selected(), ents = entities.selected();
        var sentPolicy = null;
        if (policy || cats.length || ents.length) {
          sentPolicy = Object.assign(policy ? JSON.parse(JSON.stringify(policy)) : { enabled: true },
            { include_categories: cats, entity_allowlist: ents });
          body.export_policy = sentPolicy;
        }
        save.disabled = true;
        api('PUT', '/relationships/' + encodeURIComponent(src.value) + '/' + encodeURIComponent(dst.value), body).then(function (res) {
          var got = res && (res.export_policy || res.exportPolicy);
          m.close();
          if (sentPolicy && (!got || !sameList(got.include_categories, cats) || !sameList(got.entity_allowlist, ents))) {
            showAlert(alerts, 'Relacionamento salvo, mas o CP manteve a política de exportação anterior (política inválida?).');
          }
          toast('Relacionamento salvo com sucesso');
          load();
        }, function (err) {
          save.disabled = false;
          showAlert(errors, errorText(err, 'Não foi possível salvar'));
        });
      });
      (editing ? status : src).focus();
    }

    load();
  }

  // ---------------------------------------------------------------- boot

  var PAGES = {
    trades: [L('heading.trades', 'Negociações'), pageTrades],
    pending: [L('heading.pending', 'Aprovações'), pagePending],
    notifications: [L('heading.notifications', 'Notificações'), pageNotifications],
    balance: [L('heading.balance', 'Balança comercial'), pageBalance],
    relationships: [L('heading.relationships', 'Relacionamentos'), pageRelationships]
  };

  function boot() {
    var page = document.body.getAttribute('data-page') || 'login';
    if (page === 'login') { pageLogin(); return; }
    var def = PAGES[page];
    if (!def) { document.body.append(h('p', { role: 'alert' }, 'Página desconhecida: ' + page)); return; }
    if (!getToken()) { goLogin(null); return; }
    // /admin/trades/ (the static directory) shows as the UI route /admin/trades.
    if (location.pathname.length > BASE.length && /\/$/.test(location.pathname)) {
      history.replaceState(null, '', location.pathname.replace(/\/+$/, '') + location.search + location.hash);
    }
    def[1](layout(page, def[0]));
    // Pages that only call CERT/NONE routes would never notice an expired token: check it once
    // (GET /users/me is BEARER; a 401 Invalid token ends the session, other errors are ignored).
    api('GET', '/users/me').catch(function () {});
  }

  // Back/forward from the page cache: redraw with fresh data (counters, read marks).
  window.addEventListener('pageshow', function (ev) { if (ev.persisted) location.reload(); });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
  else boot();
})();

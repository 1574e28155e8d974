/*
 * Customer-support chat widget. Include it on any page:
 *
 *   <script src="https://<bot host>/webchat/widget.js" data-product="icp" data-site="china" async></script>
 *
 * data-product, data-site: what the page is about (letters, digits, . _ -), passed to the bot with every message;
 * data-locale: zh-CN or en-US (else ?locale= of the page, else the browser's language);
 * data-target: id of the element to render into (else #webchat, else a launcher button and a floating panel);
 * data-open: "true" opens the floating panel at once (else it opens from the launcher);
 * data-token-url: where to get a Direct Line token (default: /api/directline/token beside this script).
 * The page's own ?product= and ?site= are used when the script tag has no data- attribute for them.
 *
 * The conversation (id, token, watermark, language, open or not) is kept in sessionStorage: a reload or a closed and
 * reopened panel resumes it with its history. The page's strings and Web Chat's follow the conversation's language,
 * which the bot's replies carry in `locale`.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var scriptUrl = new URL(script && script.src ? script.src : 'webchat/widget.js', location.href);
  var data = (script && script.dataset) || {};
  var query = new URLSearchParams(location.search);
  var SAFE_VALUE = /^[\w.-]{1,40}$/;
  /** Longest text posted: far past the longest message the bot reads, far under Direct Line's 256 KB body cap. */
  var MAX_TEXT_LENGTH = 10000;

  function setting(name) {
    return data[name] || query.get(name) || undefined;
  }

  function clean(value) {
    return value && SAFE_VALUE.test(value) ? value : undefined;
  }

  function widgetLocale(value) {
    return /^zh/i.test(value || '') ? 'zh-CN' : 'en-US';
  }

  var TEXTS = {
    'zh-CN': {
      title: '在线客服',
      open: '打开在线客服',
      minimize: '最小化',
      close: '关闭',
      unavailable: '在线客服暂时无法连接，请稍后再试。',
      connecting: '正在连接…',
      reconnecting: '连接中断，正在重新连接…',
      offline: '网络已断开，恢复后会自动重新连接。',
      recovered: '已重新连接。',
      cannotResume: '之前的对话已结束或已过期，无法继续。',
      startNew: '开始新对话',
      botInitials: '客服',
      userInitials: '我',
    },
    'en-US': {
      title: 'Support',
      open: 'Open support chat',
      minimize: 'Minimize',
      close: 'Close',
      unavailable: 'Support chat is unavailable right now. Please try again later.',
      connecting: 'Connecting…',
      reconnecting: 'Connection lost. Reconnecting…',
      offline: 'You are offline. The chat reconnects when the network is back.',
      recovered: 'Connected again.',
      cannotResume: 'Your previous conversation has ended or expired and cannot be continued.',
      startNew: 'Start a new conversation',
      botInitials: 'Bot',
      userInitials: 'You',
    },
  };

  var tokenUrl = new URL(data.tokenUrl || '../api/directline/token', scriptUrl);
  var bundleUrl = new URL('vendor/webchat.js', scriptUrl);
  var STORAGE_KEY = 'support-widget:' + tokenUrl.href;

  /** sessionStorage may be unavailable (blocked storage, sandboxed frames): the widget then works without resuming. */
  function loadSaved() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
      return saved && typeof saved === 'object' ? saved : {};
    } catch (e) {
      return {};
    }
  }

  function save(patch) {
    Object.assign(saved, patch);
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
    } catch (e) {
      // storage full or blocked: nothing to resume after a reload
    }
  }

  var saved = loadSaved();
  var pageLocale = widgetLocale(setting('locale') || navigator.language || 'zh-CN');
  var locale = saved.locale === 'zh-CN' || saved.locale === 'en-US' ? saved.locale : pageLocale;
  /** Sent as channelData.context on every activity and as the value of the 'context' event at the start. */
  var context = { product: clean(setting('product')), site: clean(setting('site')), locale: pageLocale };

  function text(key) {
    return TEXTS[locale][key];
  }

  var STYLE =
    '.sw-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:#0063b1;color:#fff;' +
    'box-shadow:0 4px 12px rgba(0,0,0,.25);cursor:pointer;z-index:2147483000;display:flex;align-items:center;justify-content:center;padding:0}' +
    '.sw-launcher:focus-visible,.sw-titlebar button:focus-visible{outline:3px solid #ffb900;outline-offset:2px}' +
    '.sw-launcher svg{width:28px;height:28px;fill:currentColor}' +
    '#support-webchat{position:fixed;right:16px;bottom:16px;width:380px;max-width:calc(100vw - 32px);height:600px;max-height:calc(100vh - 32px);' +
    'background:#fff;border:1px solid #ddd;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);overflow:hidden;z-index:2147483001;' +
    'display:flex;flex-direction:column;font:14px/1.4 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif}' +
    '#support-webchat[hidden],.sw-launcher[hidden],.sw-notice[hidden],.sw-status[hidden]{display:none}' +
    '.sw-titlebar{display:flex;align-items:center;gap:4px;padding:0 4px 0 14px;height:44px;flex:none;background:#0063b1;color:#fff}' +
    '.sw-title{flex:1;font-weight:600;font-size:15px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}' +
    '.sw-titlebar button{width:36px;height:36px;border:0;border-radius:4px;background:transparent;color:#fff;font-size:20px;line-height:1;cursor:pointer}' +
    '.sw-titlebar button:hover{background:rgba(255,255,255,.18)}' +
    '.sw-body{flex:1;min-height:0;display:flex;flex-direction:column;height:100%}' +
    '.sw-status{flex:none;padding:6px 12px;font-size:13px;background:#fff4ce;color:#323130;border-bottom:1px solid #f1dca0}' +
    '.sw-status.sw-ok{background:#dff6dd;border-color:#b7e1b4}' +
    '.sw-notice{flex:none;margin:12px;padding:12px;border-radius:6px;background:#fde7e9;color:#a4262c;font-size:14px}' +
    '.sw-notice button{display:block;margin-top:8px;padding:8px 14px;border:0;border-radius:4px;background:#0063b1;color:#fff;font-size:14px;cursor:pointer}' +
    '.sw-chat{flex:1;min-height:0}' +
    '@media (max-width:480px){#support-webchat{right:0;bottom:0;width:100vw;max-width:100vw;height:100%;max-height:100%;border-radius:0;border:0}}';

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(child);
    });
    return node;
  }

  /** The widget's frame: a launcher and a panel with a title bar (floating), or the page's own element (data-target, #webchat). */
  function buildFrame() {
    var style = el('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var status = el('div', { class: 'sw-status', role: 'status', 'aria-live': 'polite', hidden: '' });
    var notice = el('div', { class: 'sw-notice', role: 'alert', hidden: '' });
    var chat = el('div', { class: 'sw-chat' });
    var body = el('div', { class: 'sw-body' }, [status, notice, chat]);
    var target = (data.target && document.getElementById(data.target)) || document.getElementById('webchat');
    var frame = { status: status, notice: notice, chat: chat, floating: !target };
    if (target) {
      target.appendChild(body);
      return frame;
    }
    var launcher = el('button', { type: 'button', class: 'sw-launcher', 'aria-expanded': 'false', 'aria-controls': 'support-webchat' });
    launcher.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';
    var title = el('span', { class: 'sw-title' });
    var minimize = el('button', { type: 'button', class: 'sw-minimize' });
    minimize.textContent = '\u2013';
    var close = el('button', { type: 'button', class: 'sw-close' });
    close.textContent = '\u00d7';
    var panel = el('div', { id: 'support-webchat', role: 'dialog', hidden: '' }, [el('div', { class: 'sw-titlebar' }, [title, minimize, close]), body]);
    document.body.appendChild(launcher);
    document.body.appendChild(panel);
    frame.launcher = launcher;
    frame.panel = panel;
    frame.title = title;
    frame.minimize = minimize;
    frame.close = close;
    return frame;
  }

  var frame;
  var session; // { directLine, store } of the conversation on screen
  var status = { shown: undefined, wasOnline: false, timer: undefined };

  /** Every string of the frame in the conversation's language. */
  function applyTexts() {
    if (frame.floating) {
      frame.title.textContent = text('title');
      frame.panel.setAttribute('aria-label', text('title'));
      frame.launcher.setAttribute('aria-label', text('open'));
      frame.launcher.title = text('open');
      frame.minimize.setAttribute('aria-label', text('minimize'));
      frame.minimize.title = text('minimize');
      frame.close.setAttribute('aria-label', text('close'));
      frame.close.title = text('close');
    }
    var header = document.getElementById('support-title');
    if (header) header.textContent = text('title');
    if (!frame.floating) {
      document.documentElement.lang = locale;
      document.title = text('title');
    }
    if (status.shown) showStatus(status.shown);
  }

  function showStatus(key) {
    clearTimeout(status.timer);
    status.shown = key;
    if (!key) {
      frame.status.hidden = true;
      return;
    }
    frame.status.textContent = text(key);
    frame.status.className = 'sw-status' + (key === 'recovered' ? ' sw-ok' : '');
    frame.status.setAttribute('data-state', key);
    frame.status.hidden = false;
    if (key === 'recovered') status.timer = setTimeout(function () { showStatus(undefined); }, 4000);
  }

  function showNotice(message, action) {
    frame.notice.textContent = message;
    if (action) {
      var button = el('button', { type: 'button', class: 'sw-start-new' });
      button.textContent = action.label;
      button.addEventListener('click', action.run);
      frame.notice.appendChild(button);
    }
    frame.notice.hidden = false;
  }

  function hideNotice() {
    frame.notice.hidden = true;
    frame.notice.textContent = '';
  }

  function showError(error) {
    showStatus(undefined);
    frame.chat.textContent = '';
    var note = el('p', { class: 'support-webchat-error', role: 'alert' });
    note.style.cssText = 'margin:24px;font:14px/1.5 system-ui,sans-serif;color:#a4262c;';
    note.textContent = text('unavailable');
    frame.chat.appendChild(note);
    if (window.console) console.error('support widget:', error);
  }

  function loadWebChat() {
    if (window.WebChat) return Promise.resolve(window.WebChat);
    return new Promise(function (resolve, reject) {
      var tag = document.createElement('script');
      tag.src = bundleUrl.href;
      tag.async = true;
      tag.onload = function () {
        window.WebChat ? resolve(window.WebChat) : reject(new Error('Web Chat bundle did not define WebChat'));
      };
      tag.onerror = function () {
        reject(new Error('could not load ' + bundleUrl.href));
      };
      document.head.appendChild(tag);
    });
  }

  function postJson(url, headers, body) {
    return fetch(url, { method: 'POST', credentials: 'omit', cache: 'no-store', headers: Object.assign(body ? { 'Content-Type': 'application/json' } : {}, headers), body: body ? JSON.stringify(body) : undefined });
  }

  function fetchToken() {
    return postJson(tokenUrl.href, {}).then(function (response) {
      if (!response.ok) throw new Error('token service answered ' + response.status);
      return response.json();
    });
  }

  /**
   * A token for the saved conversation: refreshed as Direct Line does while it is valid, else renewed by the token route
   * (which knows whether the conversation is still kept). Resolves undefined when the conversation cannot be resumed.
   */
  function resumeToken() {
    return postJson(saved.domain + '/tokens/refresh', { Authorization: 'Bearer ' + saved.token })
      .then(function (response) {
        if (response.ok) return response.json();
        return postJson(tokenUrl.href, {}, { resume: saved.token }).then(function (again) {
          return again.ok ? again.json() : undefined;
        });
      })
      .then(function (answer) {
        return answer && typeof answer.token === 'string' ? answer.token : undefined;
      });
  }

  /** Adds the host page's context to everything posted, announces it once per new conversation, and follows the bot's language. */
  function widgetMiddleware(resumed) {
    return function (api) {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/POST_ACTIVITY' && action.payload && action.payload.activity) {
            var activity = action.payload.activity;
            var channelData = Object.assign({}, activity.channelData, { context: context });
            var changes = { channelData: channelData };
            // A whole document pasted would exceed Direct Line's body cap (413: Web Chat says only "send failed"); cut,
            // it still reaches the bot as too long and is answered so.
            if (typeof activity.text === 'string' && activity.text.length > MAX_TEXT_LENGTH) changes.text = activity.text.slice(0, MAX_TEXT_LENGTH);
            action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: Object.assign({}, activity, changes) }) });
          }
          var result = next(action);
          if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED' && !resumed) {
            api.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'context', value: context } });
          }
          if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') onIncoming(action.payload.activity);
          return result;
        };
      };
    };
  }

  function onIncoming(activity) {
    var directLine = session && session.directLine;
    if (!directLine) return;
    save({ conversationId: directLine.conversationId, token: directLine.token, watermark: directLine.watermark });
    var fromBot = activity && activity.from && activity.from.role === 'bot';
    if (fromBot && activity.type === 'message' && typeof activity.locale === 'string') {
      var spoken = widgetLocale(activity.locale);
      if (spoken !== locale) setTimeout(function () { switchLocale(spoken); }, 0);
    }
  }

  function switchLocale(next) {
    locale = next;
    save({ locale: locale });
    applyTexts();
    if (session) render(session);
  }

  function render(current) {
    window.WebChat.renderWebChat(
      {
        directLine: current.directLine,
        store: current.store,
        locale: locale,
        styleOptions: {
          hideUploadButton: false,
          uploadAccept: 'image/*',
          uploadMultiple: false,
          suggestedActionLayout: 'flow',
          botAvatarInitials: text('botInitials'),
          userAvatarInitials: text('userInitials'),
        },
      },
      current.host,
    );
  }

  /** Shows connecting, reconnecting (after a drop), offline and recovered, from DirectLineJS's status and the browser's. */
  function watchConnection(directLine) {
    directLine.connectionStatus$.subscribe(function (value) {
      if (session && session.directLine !== directLine) return;
      if (value === 1) showStatus(status.wasOnline ? 'reconnecting' : 'connecting');
      else if (value === 2) {
        if (status.shown === 'reconnecting' || status.shown === 'offline') showStatus('recovered');
        else if (status.shown === 'connecting') showStatus(undefined);
        status.wasOnline = true;
      } else if (value === 3) renewExpired(directLine);
      else if (value === 4 || value === 5) cannotResume();
    });
  }

  /** A token that expired while the page was open (a sleeping laptop): renew it and reconnect the same client. */
  function renewExpired(directLine) {
    showStatus('reconnecting');
    resumeToken()
      .then(function (token) {
        if (!token) throw new Error('conversation cannot be resumed');
        return fetch(saved.domain + '/conversations/' + encodeURIComponent(saved.conversationId) + '?watermark=' + encodeURIComponent(directLine.watermark || ''), {
          headers: { Authorization: 'Bearer ' + token },
          credentials: 'omit',
        }).then(function (response) {
          if (!response.ok) throw new Error('reconnect answered ' + response.status);
          return response.json();
        });
      })
      .then(function (conversation) {
        save({ token: conversation.token });
        directLine.reconnect(conversation);
      })
      .catch(cannotResume);
  }

  function cannotResume() {
    showStatus(undefined);
    showNotice(text('cannotResume'), { label: text('startNew'), run: startNew });
  }

  function startNew() {
    hideNotice();
    if (session) {
      try {
        session.directLine.end();
      } catch (e) {
        // already ended
      }
    }
    saved = {};
    save({ locale: locale, open: true });
    connect(false);
  }

  function connect(resume) {
    var WebChat = window.WebChat;
    status.wasOnline = false;
    showStatus('connecting');
    var tokenReady = resume ? resumeToken() : fetchToken();
    return tokenReady.then(function (answer) {
      if (resume && !answer) {
        saved = { locale: locale, open: saved.open };
        save({});
        cannotResume();
        return;
      }
      var options;
      if (resume) {
        // No watermark: the client replays the conversation from its start, so the history is on screen again.
        options = { token: answer, domain: saved.domain, conversationId: saved.conversationId };
      } else {
        options = { token: answer.token, domain: answer.domain, conversationStartProperties: { locale: locale } };
        save({ conversationId: answer.conversationId, token: answer.token, domain: answer.domain, watermark: '' });
      }
      // Each conversation renders into an element of its own: a new one replaces what a closed or ended one showed.
      var current = { directLine: WebChat.createDirectLine(options), host: el('div', { class: 'sw-conversation', style: 'height:100%' }) };
      frame.chat.textContent = '';
      frame.chat.appendChild(current.host);
      current.store = WebChat.createStore({}, widgetMiddleware(resume));
      session = current;
      watchConnection(current.directLine);
      render(current);
      window.supportWidget.directLine = current.directLine;
      window.supportWidget.store = current.store;
      return window.supportWidget;
    });
  }

  var started;
  /** Loads Web Chat and connects once: on start (page mode, or panel open) or on the first open of the launcher. */
  function ensureStarted() {
    started =
      started ||
      loadWebChat().then(function () {
        return connect(Boolean(saved.conversationId && saved.token && saved.domain));
      });
    started.catch(showError);
    return started;
  }

  function setOpen(open) {
    frame.panel.hidden = !open;
    frame.launcher.hidden = open;
    frame.launcher.setAttribute('aria-expanded', String(open));
    save({ open: open });
    if (open) {
      var ready = ensureStarted();
      setTimeout(function () {
        var input = frame.panel.querySelector('input[type="text"], textarea');
        (input || frame.close).focus();
      }, 0);
      return ready;
    }
    frame.launcher.focus();
    return started || Promise.resolve(window.supportWidget);
  }

  function start() {
    frame = buildFrame();
    applyTexts();
    window.addEventListener('offline', function () { showStatus('offline'); });
    window.addEventListener('online', function () {
      if (status.shown === 'offline') showStatus('recovered');
    });
    if (!frame.floating) return ensureStarted();
    frame.launcher.addEventListener('click', function () { setOpen(true); });
    // Minimise and close both keep the conversation: minimise leaves it connected, close ends the connection and a
    // reopen resumes it (with its history) from sessionStorage.
    frame.minimize.addEventListener('click', function () { setOpen(false); });
    frame.close.addEventListener('click', function () {
      if (session) {
        try {
          session.directLine.end();
        } catch (e) {
          // already ended
        }
        session = undefined;
        started = undefined;
        frame.chat.textContent = '';
      }
      hideNotice();
      showStatus(undefined);
      setOpen(false);
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && !frame.panel.hidden) setOpen(false);
    });
    if (saved.open || data.open === 'true') return setOpen(true);
    return Promise.resolve(window.supportWidget);
  }

  window.supportWidget = {
    context: context,
    get locale() {
      return locale;
    },
    open: function () {
      return setOpen(true);
    },
  };
  window.supportWidget.ready = document.readyState === 'loading'
    ? new Promise(function (resolve, reject) {
        document.addEventListener('DOMContentLoaded', function () {
          start().then(resolve, reject);
        });
      })
    : start();
  window.supportWidget.ready.catch(function () {});
})();

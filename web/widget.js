/*
 * Customer-support chat widget. Include it on any page:
 *
 *   <script src="https://<bot host>/webchat/widget.js" data-product="icp" data-site="china" async></script>
 *
 * data-product, data-site: what the page is about (letters, digits, . _ -), passed to the bot with every message;
 * data-locale: zh-CN or en-US (else ?locale= of the page, else the browser's language);
 * data-target: id of the element to render into (else #webchat, else a panel in the bottom-right corner);
 * data-token-url: where to get a Direct Line token (default: /api/directline/token beside this script).
 * The page's own ?product= and ?site= are used when the script tag has no data- attribute for them.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var scriptUrl = new URL(script && script.src ? script.src : 'webchat/widget.js', location.href);
  var data = (script && script.dataset) || {};
  var query = new URLSearchParams(location.search);
  var SAFE_VALUE = /^[\w.-]{1,40}$/;

  function setting(name) {
    return data[name] || query.get(name) || undefined;
  }

  function clean(value) {
    return value && SAFE_VALUE.test(value) ? value : undefined;
  }

  function widgetLocale(value) {
    return /^zh/i.test(value || '') ? 'zh-CN' : 'en-US';
  }

  var locale = widgetLocale(setting('locale') || navigator.language || 'zh-CN');
  /** Sent as channelData.context on every activity and as the value of the 'context' event at the start. */
  var context = { product: clean(setting('product')), site: clean(setting('site')), locale: locale };
  var tokenUrl = new URL(data.tokenUrl || '../api/directline/token', scriptUrl);
  var bundleUrl = new URL('vendor/webchat.js', scriptUrl);

  var TEXT = {
    'zh-CN': { unavailable: '在线客服暂时无法连接，请稍后再试。', title: '在线客服' },
    'en-US': { unavailable: 'Support chat is unavailable right now. Please try again later.', title: 'Support' },
  }[locale];

  function container() {
    var target = (data.target && document.getElementById(data.target)) || document.getElementById('webchat');
    if (target) return target;
    var panel = document.createElement('div');
    panel.id = 'support-webchat';
    panel.setAttribute('role', 'region');
    panel.setAttribute('aria-label', TEXT.title);
    panel.style.cssText =
      'position:fixed;right:16px;bottom:16px;width:380px;max-width:calc(100vw - 32px);height:600px;max-height:calc(100vh - 32px);' +
      'background:#fff;border:1px solid #ddd;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);overflow:hidden;z-index:2147483000;';
    document.body.appendChild(panel);
    return panel;
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

  function fetchToken() {
    return fetch(tokenUrl.href, { method: 'POST', credentials: 'omit', cache: 'no-store' }).then(function (response) {
      if (!response.ok) throw new Error('token service answered ' + response.status);
      return response.json();
    });
  }

  /** Adds the host page's context to everything the widget posts, and announces it once connected. */
  function contextMiddleware(api) {
    return function (next) {
      return function (action) {
        if (action.type === 'DIRECT_LINE/POST_ACTIVITY' && action.payload && action.payload.activity) {
          var activity = action.payload.activity;
          var channelData = Object.assign({}, activity.channelData, { context: context });
          action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: Object.assign({}, activity, { channelData: channelData }) }) });
        }
        var result = next(action);
        if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
          api.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'context', value: context } });
        }
        return result;
      };
    };
  }

  function showError(element, error) {
    element.textContent = '';
    var note = document.createElement('p');
    note.className = 'support-webchat-error';
    note.setAttribute('role', 'alert');
    note.style.cssText = 'margin:24px;font:14px/1.5 system-ui,sans-serif;color:#a4262c;';
    note.textContent = TEXT.unavailable;
    element.appendChild(note);
    if (window.console) console.error('support widget:', error);
  }

  function start() {
    var element = container();
    var ready = Promise.all([loadWebChat(), fetchToken()]).then(function (results) {
      var WebChat = results[0];
      var answer = results[1];
      var directLine = WebChat.createDirectLine({
        token: answer.token,
        domain: answer.domain,
        conversationStartProperties: { locale: locale },
      });
      var store = WebChat.createStore({}, contextMiddleware);
      WebChat.renderWebChat(
        {
          directLine: directLine,
          store: store,
          locale: locale,
          styleOptions: { hideUploadButton: true, botAvatarInitials: locale === 'zh-CN' ? '客服' : 'Bot', userAvatarInitials: locale === 'zh-CN' ? '我' : 'You' },
        },
        element,
      );
      window.supportWidget.directLine = directLine;
      window.supportWidget.store = store;
      return window.supportWidget;
    });
    ready.catch(function (error) {
      showError(element, error);
    });
    return ready;
  }

  window.supportWidget = { context: context, locale: locale };
  window.supportWidget.ready = document.readyState === 'loading'
    ? new Promise(function (resolve, reject) {
        document.addEventListener('DOMContentLoaded', function () {
          start().then(resolve, reject);
        });
      })
    : start();
  window.supportWidget.ready.catch(function () {});
})();

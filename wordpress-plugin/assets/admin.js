/**
 * The "Test connection" button of the shopchat settings page.
 */
( function () {
	'use strict';

	var button = document.getElementById( 'shopchat-test-connection' );
	var output = document.getElementById( 'shopchat-test-result' );
	if ( ! button || ! output || ! window.shopchatAdmin ) {
		return;
	}

	function show( checks ) {
		output.textContent = '';
		checks.forEach( function ( check ) {
			var item = document.createElement( 'li' );
			item.className = check.ok ? 'shopchat-ok' : 'shopchat-fail';
			item.textContent = ( check.ok ? '\u2713 ' : '\u2717 ' ) + check.message;
			output.appendChild( item );
		} );
	}

	button.addEventListener( 'click', function () {
		var body = new FormData();
		body.append( 'action', 'shopchat_test_connection' );
		body.append( 'nonce', window.shopchatAdmin.nonce );
		button.disabled = true;
		show( [ { ok: true, message: window.shopchatAdmin.testing } ] );
		window.fetch( window.shopchatAdmin.ajaxUrl, { method: 'POST', body: body, credentials: 'same-origin' } )
			.then( function ( response ) {
				return response.json();
			} )
			.then( function ( reply ) {
				show( reply && reply.data && reply.data.checks ? reply.data.checks : [ { ok: false, message: window.shopchatAdmin.failed } ] );
			} )
			.catch( function () {
				show( [ { ok: false, message: window.shopchatAdmin.failed } ] );
			} )
			.then( function () {
				button.disabled = false;
			} );
	} );
}() );

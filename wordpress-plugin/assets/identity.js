/**
 * Keeps the signed identity of a logged-in customer fresh: after WooCommerce
 * changes the cart, and before the token expires. The token comes from the
 * shop's server (admin-ajax.php); the browser never holds the secret.
 *
 * The new token goes to window.shopchatSettings.identity, to
 * window.shopchat.identify(token) when the widget offers it, and out as a
 * "shopchat:identity" event on document.
 */
( function () {
	'use strict';

	var settings = window.shopchatSettings;
	if ( ! settings || ! settings.identityRefresh || ! window.fetch ) {
		return;
	}
	var refresh = settings.identityRefresh;
	var timer = null;

	function publish( identity ) {
		settings.identity = identity;
		if ( window.shopchat && typeof window.shopchat.identify === 'function' ) {
			window.shopchat.identify( identity );
		}
		document.dispatchEvent( new CustomEvent( 'shopchat:identity', { detail: { identity: identity } } ) );
	}

	function schedule() {
		window.clearTimeout( timer );
		timer = window.setTimeout( update, refresh.intervalSeconds * 1000 );
	}

	function update() {
		var body = new FormData();
		body.append( 'action', refresh.action );
		body.append( 'nonce', refresh.nonce );
		body.append( 'url', window.location.href );
		body.append( 'title', document.title );
		window.fetch( refresh.url, { method: 'POST', body: body, credentials: 'same-origin' } )
			.then( function ( response ) {
				return response.ok ? response.json() : null;
			} )
			.then( function ( reply ) {
				if ( reply && reply.success ) {
					publish( reply.data.identity );
				}
			} )
			.catch( function () {} )
			.then( schedule );
	}

	// WooCommerce's classic cart fires jQuery events on document.body; the
	// cart and checkout blocks fire DOM events.
	if ( window.jQuery ) {
		window.jQuery( document.body ).on( 'added_to_cart removed_from_cart updated_cart_totals wc_cart_emptied', update );
	}
	[ 'wc-blocks_added_to_cart', 'wc-blocks_removed_from_cart' ].forEach( function ( name ) {
		document.body.addEventListener( name, update );
	} );
	schedule();
}() );

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

	function soon() {
		window.clearTimeout( timer );
		timer = window.setTimeout( update, 300 ); // one refresh for a burst of changes
	}

	// The cart and checkout blocks keep the cart in the wc/store/cart data store and
	// change quantities and remove items there without any DOM event; only adding to the
	// cart fires one (wc-blocks_added_to_cart on document.body). So watch the store:
	// a new set of items, quantities or total, once no cart request is pending.
	function cartSignature( store ) {
		var cart = store.getCartData();
		if ( ! cart || ! cart.items ) {
			return null;
		}
		var totals = cart.totals || {};
		return JSON.stringify( [
			cart.items.map( function ( item ) {
				return [ item.key, item.quantity ];
			} ),
			totals.total_price || totals.totalPrice || null,
		] );
	}

	var watching = false;
	function watchCartStore() {
		var data = window.wp && window.wp.data;
		if ( watching || ! data || typeof data.subscribe !== 'function' || typeof data.select !== 'function' ) {
			return;
		}
		watching = true;
		var last = null;
		function cartStore() {
			var store = data.select( 'wc/store/cart' );
			return store && typeof store.getCartData === 'function' ? store : null;
		}
		if ( cartStore() ) {
			last = cartSignature( cartStore() ); // the cart the page was signed with
		}
		data.subscribe( function () {
			var store = cartStore();
			if ( ! store ) {
				return;
			}
			if ( typeof store.hasPendingItemsOperations === 'function' && store.hasPendingItemsOperations() ) {
				return; // the server has not answered yet; its answer changes the store again
			}
			var signature = cartSignature( store );
			if ( null !== last && null !== signature && signature !== last ) {
				soon();
			}
			if ( null !== signature ) {
				last = signature;
			}
		} );
	}

	// WooCommerce's classic cart fires jQuery events on document.body.
	if ( window.jQuery ) {
		window.jQuery( document.body ).on( 'added_to_cart removed_from_cart updated_cart_totals wc_cart_emptied', soon );
	}
	[ 'wc-blocks_added_to_cart', 'wc-blocks_removed_from_cart' ].forEach( function ( name ) {
		document.body.addEventListener( name, soon );
	} );
	// wp-data and the blocks' scripts may print after this one.
	watchCartStore();
	document.addEventListener( 'DOMContentLoaded', watchCartStore );
	window.addEventListener( 'load', watchCartStore );
	schedule();
}() );

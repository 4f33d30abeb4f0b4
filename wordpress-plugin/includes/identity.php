<?php
/**
 * The chat session id and the signed identity of a logged-in customer.
 *
 * The identity is a JWT signed here, on the shop's server, with the site's
 * identity secret; the browser only carries it. Guests get no identity.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

const SHOPCHAT_SESSION_COOKIE = 'shopchat_session';
const SHOPCHAT_IDENTITY_TTL   = 15 * MINUTE_IN_SECONDS;

add_action( 'wp_ajax_shopchat_identity', 'shopchat_ajax_identity' );
add_action( 'wp_ajax_nopriv_shopchat_identity', 'shopchat_ajax_identity_guest' );

/**
 * The visitor's chat session id, kept in a first-party cookie; set before
 * output (call it from template_redirect or earlier).
 *
 * @return string A UUID v4.
 */
function shopchat_session_id() {
	static $session_id = null;
	if ( null !== $session_id ) {
		return $session_id;
	}
	$cookie = isset( $_COOKIE[ SHOPCHAT_SESSION_COOKIE ] ) ? sanitize_text_field( wp_unslash( $_COOKIE[ SHOPCHAT_SESSION_COOKIE ] ) ) : '';
	if ( wp_is_uuid( $cookie, 4 ) ) {
		$session_id = $cookie;
		return $session_id;
	}
	$session_id = wp_generate_uuid4();
	if ( ! headers_sent() ) {
		setcookie(
			SHOPCHAT_SESSION_COOKIE,
			$session_id,
			array(
				'expires'  => time() + YEAR_IN_SECONDS,
				'path'     => COOKIEPATH ? COOKIEPATH : '/',
				'domain'   => COOKIE_DOMAIN ? COOKIE_DOMAIN : '',
				'secure'   => is_ssl(),
				'httponly' => true,
				'samesite' => 'Lax',
			)
		);
	}
	return $session_id;
}

/**
 * The claims of a user's identity token.
 *
 * @param int   $user_id WordPress user id.
 * @param array $page    {url, title} of the page the customer is on.
 * @param int   $now     Unix time.
 * @return array|null Claims, or null for an unknown user.
 */
function shopchat_identity_claims( $user_id, $page, $now ) {
	$user = get_userdata( $user_id );
	if ( ! $user ) {
		return null;
	}
	$settings = shopchat_get_settings();
	$claims   = array(
		'iss'   => $settings['site_key'],
		'sub'   => (string) $user->ID,
		'iat'   => $now,
		'exp'   => $now + SHOPCHAT_IDENTITY_TTL,
		'email' => $user->user_email,
		'name'  => $user->display_name,
		'page'  => $page,
	);
	$woo      = array(
		'customer'      => shopchat_customer_claim( $user->ID ),
		'cart'          => shopchat_cart_claim(),
		'recent_orders' => shopchat_recent_orders_claim( $user->ID ),
	);
	$claims   = array_merge( $claims, array_filter( $woo, 'is_array' ) );
	/**
	 * Filters the identity claims before they are signed.
	 *
	 * @param array $claims  Claims.
	 * @param int   $user_id WordPress user id.
	 */
	return apply_filters( 'shopchat_identity_claims', $claims, $user->ID );
}

/**
 * The signed identity of the current user, or null for guests or when the
 * plugin lacks a site key or identity secret.
 *
 * @param array $page {url, title} of the current page.
 * @return string|null JWT.
 */
function shopchat_current_identity( $page ) {
	$secret   = shopchat_identity_secret();
	$settings = shopchat_get_settings();
	if ( ! is_user_logged_in() || '' === $secret || '' === $settings['site_key'] ) {
		return null;
	}
	$claims = shopchat_identity_claims( get_current_user_id(), $page, time() );
	return $claims ? Shopchat_JWT::encode( $claims, $secret ) : null;
}

/**
 * The page claim for the current front-end request.
 *
 * @return array {url, title}.
 */
function shopchat_current_page() {
	$uri = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/';
	return array(
		'url'   => shopchat_site_origin() . '/' . ltrim( $uri, '/' ),
		'title' => html_entity_decode( wp_strip_all_tags( wp_get_document_title() ), ENT_QUOTES | ENT_HTML5, 'UTF-8' ),
	);
}

/**
 * The page claim from an AJAX refresh: only URLs on this site are believed.
 *
 * @param string $url   URL the browser reports.
 * @param string $title Title the browser reports.
 * @return array {url, title}.
 */
function shopchat_reported_page( $url, $title ) {
	$url    = esc_url_raw( $url );
	$origin = shopchat_site_origin();
	if ( 0 !== strpos( $url, $origin . '/' ) && $url !== $origin ) {
		$url = home_url( '/' );
	}
	return array(
		'url'   => substr( $url, 0, 2000 ),
		'title' => mb_substr( sanitize_text_field( $title ), 0, 200 ),
	);
}

/**
 * This site's origin (scheme://host[:port]), as the chat server's allowed origins list it.
 *
 * @return string Origin.
 */
function shopchat_site_origin() {
	$parts = wp_parse_url( home_url() );
	$port  = isset( $parts['port'] ) ? ':' . $parts['port'] : '';
	return ( $parts['scheme'] ?? 'https' ) . '://' . ( $parts['host'] ?? '' ) . $port;
}

/**
 * AJAX: a fresh identity for the logged-in customer (after a cart change).
 */
function shopchat_ajax_identity() {
	check_ajax_referer( 'shopchat_identity', 'nonce' );
	$page     = shopchat_reported_page(
		isset( $_POST['url'] ) ? esc_url_raw( wp_unslash( $_POST['url'] ) ) : '',
		isset( $_POST['title'] ) ? sanitize_text_field( wp_unslash( $_POST['title'] ) ) : ''
	);
	$identity = shopchat_current_identity( $page );
	wp_send_json_success(
		array(
			'identity'   => $identity,
			'expires_in' => $identity ? SHOPCHAT_IDENTITY_TTL : null,
		)
	);
}

/**
 * AJAX for guests: there is no identity to give.
 */
function shopchat_ajax_identity_guest() {
	wp_send_json_success(
		array(
			'identity'   => null,
			'expires_in' => null,
		)
	);
}

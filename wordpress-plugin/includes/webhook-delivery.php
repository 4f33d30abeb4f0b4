<?php
/**
 * Whether WooCommerce can really deliver its webhooks to the chat server, and their state.
 *
 * WooCommerce delivers with wp_safe_remote_request(): WordPress refuses ports other than
 * 80, 443 and 8080 (and the site's own), and private or loopback addresses. A plain
 * wp_remote_get() reaches such a server, so only the same check and a safe ping tell
 * whether deliveries will arrive. WooCommerce 9.9 disables a webhook on the 7th failed
 * delivery in a row (answers 200-302 count as success) and never redelivers a failed one.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

const SHOPCHAT_SAFE_PORTS = array( 80, 443, 8080 );

/**
 * The URL WooCommerce delivers this site's webhooks to.
 *
 * @param array $settings Settings.
 * @return string URL, or '' without the server URL or the site id.
 */
function shopchat_webhook_delivery_url( $settings ) {
	if ( '' === $settings['server_url'] || '' === $settings['site_id'] ) {
		return '';
	}
	return $settings['server_url'] . '/api/v1/webhooks/woocommerce/' . rawurlencode( $settings['site_id'] );
}

/**
 * Checks a delivery URL as WooCommerce will use it: WordPress's own URL rules, then a
 * ping (WooCommerce's "webhook_id=N" body) with wp_safe_remote_post().
 *
 * @param string $url Delivery URL.
 * @return array Check {ok, message}.
 */
function shopchat_check_webhook_delivery( $url ) {
	if ( ! wp_http_validate_url( $url ) ) {
		return shopchat_check( false, shopchat_unsafe_url_reason( $url ) );
	}
	$ids      = shopchat_webhook_ids();
	$ping_id  = $ids ? (int) reset( $ids ) : 0;
	$response = wp_safe_remote_post(
		$url,
		array(
			'timeout' => 5,
			'headers' => array( 'Content-Type' => 'application/x-www-form-urlencoded' ),
			'body'    => 'webhook_id=' . $ping_id,
		)
	);
	if ( is_wp_error( $response ) ) {
		/* translators: 1: URL, 2: error */
		return shopchat_check( false, sprintf( __( 'WooCommerce webhooks cannot reach %1$s: %2$s', 'shopchat' ), $url, $response->get_error_message() ) );
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	if ( $status >= 200 && $status < 300 ) {
		/* translators: %s: URL */
		return shopchat_check( true, sprintf( __( 'WooCommerce webhooks reach %s.', 'shopchat' ), $url ) );
	}
	if ( 404 === $status ) {
		/* translators: %s: URL */
		return shopchat_check( false, sprintf( __( 'The chat server does not know this site id (HTTP 404 from %s). Copy the site id from "shopchat site create --json" and save again.', 'shopchat' ), $url ) );
	}
	/* translators: 1: URL, 2: HTTP status, 3: server's message */
	return shopchat_check( false, sprintf( __( 'WooCommerce webhooks to %1$s fail with HTTP %2$d: %3$s', 'shopchat' ), $url, $status, shopchat_error_detail( wp_remote_retrieve_body( $response ) ) ) );
}

/**
 * Why wp_http_validate_url() refuses a URL, in words that say what to change. Follows
 * the order of WordPress's checks (host first, then port), with its filters.
 *
 * @param string $url The refused URL.
 * @return string Message.
 */
function shopchat_unsafe_url_reason( $url ) {
	$parts = wp_parse_url( $url );
	$host  = trim( (string) ( $parts['host'] ?? '' ), '.' );
	$home  = wp_parse_url( (string) get_option( 'home' ) );
	$same  = isset( $home['host'] ) && strtolower( $home['host'] ) === strtolower( $host );
	$why   = __( 'WooCommerce sends webhooks with wp_safe_remote_request(), which refuses it, so no order or product update would ever arrive.', 'shopchat' );
	if ( ! $same && '' !== $host ) {
		$ip = filter_var( $host, FILTER_VALIDATE_IP ) ? $host : gethostbyname( $host );
		if ( $ip === $host && ! filter_var( $host, FILTER_VALIDATE_IP ) ) {
			/* translators: 1: host name, 2: why it matters */
			return sprintf( __( 'This WordPress cannot resolve %1$s, the chat server\'s host name. %2$s Use a host name that resolves from this server.', 'shopchat' ), $host, $why );
		}
		$public = filter_var( $ip, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE );
		if ( ! $public && ! apply_filters( 'http_request_host_is_external', false, $host, $url ) ) {
			/* translators: 1: host, 2: IP address, 3: why it matters */
			return sprintf( __( 'WordPress refuses %1$s as a webhook address: it is a private or loopback address (%2$s). %3$s Give the chat server a public address, such as https://chat.example.com, and save again.', 'shopchat' ), $host, $ip, $why );
		}
	}
	$port = isset( $parts['port'] ) ? (int) $parts['port'] : 0;
	if ( $port ) {
		$allowed = (array) apply_filters( 'http_allowed_safe_ports', SHOPCHAT_SAFE_PORTS, $host, $url );
		/* translators: 1: port, 2: allowed ports, 3: why it matters */
		return sprintf( __( 'WordPress refuses port %1$d for webhooks: only ports %2$s (and this site\'s own port) are allowed. %3$s Serve the chat server on https:// at port 443 (for example behind a reverse proxy) and save that URL.', 'shopchat' ), $port, implode( ', ', array_map( 'intval', $allowed ) ), $why );
	}
	/* translators: 1: URL, 2: why it matters */
	return sprintf( __( 'WordPress refuses %1$s as a webhook address. %2$s', 'shopchat' ), $url, $why );
}

/**
 * The plugin's webhooks as WooCommerce keeps them.
 *
 * @return array[] Rows {topic, status, failures, url}.
 */
function shopchat_webhook_states() {
	$states = array();
	foreach ( shopchat_webhook_ids() as $id ) {
		$webhook = shopchat_find_webhook( $id );
		if ( $webhook ) {
			$states[] = array(
				'topic'    => (string) $webhook->get_topic(),
				'status'   => (string) $webhook->get_status(),
				'failures' => (int) $webhook->get_failure_count(),
				'url'      => (string) $webhook->get_delivery_url(),
			);
		}
	}
	return $states;
}

/**
 * Re-activates the plugin's webhooks that WooCommerce disabled (or someone paused),
 * once deliveries can arrive again.
 *
 * @return int How many were re-activated.
 */
function shopchat_reactivate_webhooks() {
	$count = 0;
	foreach ( shopchat_webhook_ids() as $id ) {
		$webhook = shopchat_find_webhook( $id );
		if ( $webhook && 'active' !== $webhook->get_status() ) {
			$webhook->set_failure_count( 0 );
			$webhook->set_status( 'active' );
			$webhook->save();
			++$count;
		}
	}
	return $count;
}

/**
 * The delivery check of "Test connection": null without WooCommerce or webhooks to check.
 *
 * @param array $settings Settings.
 * @return array|null Check.
 */
function shopchat_delivery_test( $settings ) {
	$url = shopchat_webhook_delivery_url( $settings );
	if ( ! shopchat_woocommerce_active() || '' === $url ) {
		return null;
	}
	$check = shopchat_check_webhook_delivery( $url );
	if ( $check['ok'] ) {
		$revived = shopchat_reactivate_webhooks();
		if ( $revived ) {
			/* translators: %d: number of webhooks */
			$check['message'] .= ' ' . sprintf( __( 'Disabled webhooks turned on again: %d.', 'shopchat' ), $revived );
		}
		$added = shopchat_add_missing_webhooks( $settings, shopchat_webhook_secret() );
		if ( $added ) {
			/* translators: %d: number of webhooks */
			$check['message'] .= ' ' . sprintf( __( 'Missing webhooks added: %d.', 'shopchat' ), $added );
		}
	}
	return $check;
}

<?php
/**
 * The loader tag on the shop's pages.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

const SHOPCHAT_LOADER_HANDLE = 'shopchat-loader';

add_action( 'template_redirect', 'shopchat_start_session' );
add_action( 'wp_enqueue_scripts', 'shopchat_enqueue_loader' );
add_filter( 'script_loader_tag', 'shopchat_loader_tag', 10, 2 );

/**
 * Whether this request's user agent is a crawler, link previewer or monitor.
 *
 * @param string $user_agent User-Agent header.
 * @return bool Bot.
 */
function shopchat_is_bot( $user_agent ) {
	$pattern = '/bot\b|bot\/|crawl|spider|slurp|mediapartners|facebookexternalhit|facebookcatalog|embedly|preview|pinterest|whatsapp|lighthouse|pingdom|uptime|ia_archiver|curl\/|wget\//i';
	$is_bot  = '' === trim( $user_agent ) || (bool) preg_match( $pattern, $user_agent );
	/**
	 * Filters whether a user agent is treated as a bot (bots get no widget).
	 *
	 * @param bool   $is_bot     Whether it is a bot.
	 * @param string $user_agent User-Agent header.
	 */
	return (bool) apply_filters( 'shopchat_is_bot', $is_bot, $user_agent );
}

/**
 * Whether the current page is one of WooCommerce's (shop, product, cart, checkout, account).
 *
 * @return bool WooCommerce page.
 */
function shopchat_is_woocommerce_page() {
	$checks = array( 'is_woocommerce', 'is_cart', 'is_checkout', 'is_account_page' );
	foreach ( $checks as $check ) {
		if ( function_exists( $check ) && call_user_func( $check ) ) {
			return true;
		}
	}
	return false;
}

/**
 * Whether the current page matches one of the page-list entries (a page or
 * post id, or a URL path pattern where * matches anything).
 *
 * @param string $rules The list, one entry a line.
 * @return bool Listed.
 */
function shopchat_page_is_listed( $rules ) {
	$object_id = (int) get_queried_object_id();
	$uri       = isset( $_SERVER['REQUEST_URI'] ) ? esc_url_raw( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/';
	$path      = (string) wp_parse_url( $uri, PHP_URL_PATH );
	foreach ( shopchat_parse_display_rules( $rules ) as $rule ) {
		if ( ctype_digit( $rule ) ? $object_id === (int) $rule : shopchat_path_matches( $rule, $path ) ) {
			return true;
		}
	}
	return false;
}

/**
 * Matches a path against a pattern with * wildcards; a trailing slash is optional.
 *
 * @param string $pattern Pattern such as /shop/*.
 * @param string $path    Request path.
 * @return bool Match.
 */
function shopchat_path_matches( $pattern, $path ) {
	$regex = '#^' . str_replace( '\*', '.*', preg_quote( untrailingslashit( $pattern ), '#' ) ) . '/?$#';
	return (bool) preg_match( $regex, $path );
}

/**
 * Whether the widget loads on this request.
 *
 * @return bool Show.
 */
function shopchat_should_load_widget() {
	$settings = shopchat_get_settings();
	$show     = $settings['enabled'] && shopchat_is_configured( $settings ) && ! is_admin()
		&& ! shopchat_is_bot( isset( $_SERVER['HTTP_USER_AGENT'] ) ? sanitize_text_field( wp_unslash( $_SERVER['HTTP_USER_AGENT'] ) ) : '' );
	if ( $show && 'woocommerce' === $settings['display_mode'] ) {
		$show = shopchat_is_woocommerce_page();
	} elseif ( $show && 'list' === $settings['display_mode'] ) {
		$show = shopchat_page_is_listed( $settings['display_rules'] );
	}
	/**
	 * Filters whether the chat widget loads on the current page.
	 *
	 * @param bool $show Whether it loads.
	 */
	return (bool) apply_filters( 'shopchat_show_widget', $show );
}

/**
 * Sets the session cookie before any output, on pages that show the widget.
 */
function shopchat_start_session() {
	if ( shopchat_should_load_widget() ) {
		shopchat_session_id();
	}
}

/**
 * Enqueues the loader in the footer, async, with its settings inline before it.
 */
function shopchat_enqueue_loader() {
	if ( ! shopchat_should_load_widget() ) {
		return;
	}
	global $wp_version;
	$settings = shopchat_get_settings();
	$src      = $settings['server_url'] . '/widget.js';
	$footer   = version_compare( $wp_version, '6.3', '>=' ) ? array(
		'in_footer' => true,
		'strategy'  => 'async',
	) : true;
	wp_enqueue_script( SHOPCHAT_LOADER_HANDLE, $src, array(), null, $footer ); // phpcs:ignore WordPress.WP.EnqueuedResourceParameters.MissingVersion -- the chat server versions its own loader.
	wp_add_inline_script( SHOPCHAT_LOADER_HANDLE, 'window.shopchatSettings = ' . wp_json_encode( shopchat_widget_settings( $settings ), JSON_HEX_TAG | JSON_HEX_AMP | JSON_UNESCAPED_SLASHES ) . ';', 'before' );
	if ( is_user_logged_in() ) {
		wp_enqueue_script( 'shopchat-identity', plugins_url( 'assets/identity.js', SHOPCHAT_PLUGIN_FILE ), array(), SHOPCHAT_VERSION, true );
	}
}

/**
 * What the widget reads from window.shopchatSettings.
 *
 * @param array $settings Plugin settings.
 * @return array Widget settings.
 */
function shopchat_widget_settings( $settings ) {
	$page    = shopchat_current_page();
	$widget  = array(
		'serverUrl' => $settings['server_url'],
		'siteKey'   => $settings['site_key'],
		'sessionId' => shopchat_session_id(),
		'identity'  => shopchat_current_identity( $page ),
		'position'  => $settings['position'],
		'color'     => $settings['color'],
		'locale'    => determine_locale(),
		'page'      => $page,
	);
	if ( is_user_logged_in() ) {
		$widget['identityRefresh'] = array(
			'url'             => admin_url( 'admin-ajax.php' ),
			'action'          => 'shopchat_identity',
			'nonce'           => wp_create_nonce( 'shopchat_identity' ),
			'intervalSeconds' => SHOPCHAT_IDENTITY_TTL - 3 * MINUTE_IN_SECONDS,
		);
	}
	/**
	 * Filters the settings handed to the widget.
	 *
	 * @param array $widget Widget settings.
	 */
	return apply_filters( 'shopchat_widget_settings', $widget );
}

/**
 * Adds data-site-key and async to the loader's script tag (WordPress before
 * 6.3 has no loading strategies, and none adds data attributes).
 *
 * @param string $tag    The HTML WordPress prints for the handle.
 * @param string $handle Script handle.
 * @return string HTML.
 */
function shopchat_loader_tag( $tag, $handle ) {
	if ( SHOPCHAT_LOADER_HANDLE !== $handle ) {
		return $tag;
	}
	$site_key = shopchat_get_settings()['site_key'];
	return (string) preg_replace_callback(
		'/<script\b[^>]*\ssrc=[^>]*>/',
		function ( $match ) use ( $site_key ) {
			$attributes = ' data-site-key="' . esc_attr( $site_key ) . '"';
			if ( ! preg_match( '/\sasync\b/', $match[0] ) ) {
				$attributes .= ' async';
			}
			return substr( $match[0], 0, -1 ) . $attributes . '>';
		},
		$tag,
		1
	);
}

<?php
/**
 * The plugin's options: defaults, reading and validation.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

const SHOPCHAT_MAX_LENGTHS = array(
	'server_url'        => 200,
	'site_key'          => 100,
	'site_id'           => 64,
	'secret'            => 256,
	'display_rules'     => 2000,
	'display_rule'      => 200,
	'display_rule_count' => 50,
);

/**
 * Options that hold secrets or bookkeeping; never autoloaded.
 *
 * @return string[] Option names.
 */
function shopchat_private_options() {
	return array( 'shopchat_identity_secret', 'shopchat_webhook_secret', 'shopchat_webhook_ids' );
}

/**
 * The settings a fresh install starts with.
 *
 * @return array Default settings.
 */
function shopchat_default_settings() {
	return array(
		'enabled'           => false,
		'server_url'        => '',
		'site_key'          => '',
		'site_id'           => '',
		'position'          => 'right',
		'color'             => '#1e73be',
		'display_mode'      => 'all',
		'display_rules'     => '',
		'status_basis'      => 'order_count',
		'regular_threshold' => '1',
		'vip_threshold'     => '10',
	);
}

/**
 * The stored settings merged over the defaults.
 *
 * @return array Settings.
 */
function shopchat_get_settings() {
	$stored = get_option( 'shopchat_settings', array() );
	$known  = shopchat_default_settings();
	return array_merge( $known, array_intersect_key( is_array( $stored ) ? $stored : array(), $known ) );
}

/**
 * The site's identity secret ('' when not set).
 *
 * @return string Secret.
 */
function shopchat_identity_secret() {
	return (string) get_option( 'shopchat_identity_secret', '' );
}

/**
 * The site's webhook secret ('' when not set).
 *
 * @return string Secret.
 */
function shopchat_webhook_secret() {
	return (string) get_option( 'shopchat_webhook_secret', '' );
}

/**
 * Whether the server URL and the site key are set (enough for guests' chats).
 *
 * @param array|null $settings Settings, or null for the stored ones.
 * @return bool Configured.
 */
function shopchat_is_configured( $settings = null ) {
	$settings = $settings ?? shopchat_get_settings();
	return '' !== $settings['server_url'] && '' !== $settings['site_key'];
}

/**
 * The customer-status rule from the settings.
 *
 * @param array|null $settings Settings, or null for the stored ones.
 * @return Shopchat_Customer_Rule The rule.
 */
function shopchat_customer_rule( $settings = null ) {
	$settings = $settings ?? shopchat_get_settings();
	try {
		return new Shopchat_Customer_Rule( $settings['status_basis'], (float) $settings['regular_threshold'], (float) $settings['vip_threshold'] );
	} catch ( InvalidArgumentException $e ) {
		$defaults = shopchat_default_settings();
		return new Shopchat_Customer_Rule( $defaults['status_basis'], (float) $defaults['regular_threshold'], (float) $defaults['vip_threshold'] );
	}
}

/**
 * Settings API sanitize callback: validates every field, keeps the old value
 * of each field that fails (with a settings error saying why), stores the
 * secrets in their own non-autoloaded options and registers the webhooks.
 *
 * @param mixed $input The submitted settings.
 * @return array The settings to store.
 */
function shopchat_sanitize_settings( $input ) {
	$old = shopchat_get_settings();
	if ( ! is_array( $input ) ) {
		return $old;
	}
	$clean            = $old;
	$clean['enabled'] = ! empty( $input['enabled'] );

	$validators = array(
		'server_url'    => 'shopchat_validate_server_url',
		'site_key'      => 'shopchat_validate_site_key',
		'site_id'       => 'shopchat_validate_site_id',
		'position'      => 'shopchat_validate_position',
		'color'         => 'shopchat_validate_color',
		'display_mode'  => 'shopchat_validate_display_mode',
		'display_rules' => 'shopchat_validate_display_rules',
		'status_basis'  => 'shopchat_validate_status_basis',
	);
	foreach ( $validators as $field => $validator ) {
		if ( ! isset( $input[ $field ] ) ) {
			continue;
		}
		$value = call_user_func( $validator, shopchat_submitted_text( $input[ $field ] ) );
		if ( is_wp_error( $value ) ) {
			shopchat_settings_error( 'shopchat_' . $field, $value->get_error_message() );
			continue;
		}
		$clean[ $field ] = $value;
	}
	$clean = shopchat_sanitize_thresholds( $input, $clean );

	shopchat_save_secret( $input, 'identity_secret', 'shopchat_identity_secret' );
	shopchat_save_secret( $input, 'webhook_secret', 'shopchat_webhook_secret' );
	shopchat_register_webhooks_once( $clean );
	return $clean;
}

/**
 * Reports a settings problem on the settings page; WordPress prints the
 * message as HTML, so it is escaped here (it may quote what was submitted).
 *
 * @param string $code    Error code.
 * @param string $message Plain-text message.
 * @param string $type    error, success, warning or info.
 */
function shopchat_settings_error( $code, $message, $type = 'error' ) {
	add_settings_error( 'shopchat_settings', $code, esc_html( $message ), $type );
}

/**
 * A submitted scalar as unslashed text; arrays become ''.
 *
 * @param mixed $value Submitted value.
 * @return string Text.
 */
function shopchat_submitted_text( $value ) {
	return is_scalar( $value ) ? trim( wp_unslash( (string) $value ) ) : '';
}

/**
 * Checks the length of a field.
 *
 * @param string $value Value.
 * @param string $limit Key of SHOPCHAT_MAX_LENGTHS.
 * @param string $label Field label for the message.
 * @return WP_Error|null Error when too long.
 */
function shopchat_too_long( $value, $limit, $label ) {
	$max = SHOPCHAT_MAX_LENGTHS[ $limit ];
	if ( strlen( $value ) <= $max ) {
		return null;
	}
	/* translators: 1: field label, 2: maximum number of characters */
	return new WP_Error( 'shopchat_too_long', sprintf( __( '%1$s is too long (at most %2$d characters); the previous value was kept.', 'shopchat' ), $label, $max ) );
}

/**
 * The chat server URL: https://, or http:// on localhost only; no path, query or credentials.
 *
 * @param string $value Submitted URL.
 * @return string|WP_Error URL without a trailing slash, or why not.
 */
function shopchat_validate_server_url( $value ) {
	$label = __( 'Chat server URL', 'shopchat' );
	$error = shopchat_too_long( $value, 'server_url', $label );
	if ( $error || '' === $value ) {
		return $error ?? '';
	}
	$parts  = wp_parse_url( $value );
	$scheme = strtolower( $parts['scheme'] ?? '' );
	$host   = strtolower( $parts['host'] ?? '' );
	$local  = in_array( $host, array( 'localhost', '127.0.0.1', '[::1]' ), true );
	$valid  = is_array( $parts ) && '' !== $host
		&& ( 'https' === $scheme || ( 'http' === $scheme && $local ) )
		&& ! isset( $parts['user'] ) && ! isset( $parts['pass'] ) && ! isset( $parts['query'] ) && ! isset( $parts['fragment'] )
		&& preg_match( '/^[a-z0-9.\-\[\]:]+$/', $host )
		&& preg_match( '#^[A-Za-z0-9._~/\-]*$#', $parts['path'] ?? '' );
	if ( ! $valid ) {
		return new WP_Error( 'shopchat_server_url', __( 'The chat server URL must start with https:// (plain http:// is allowed only for localhost) and carry no query or credentials; the previous value was kept.', 'shopchat' ) );
	}
	return untrailingslashit( $scheme . '://' . $host . ( isset( $parts['port'] ) ? ':' . (int) $parts['port'] : '' ) . ( $parts['path'] ?? '' ) );
}

/**
 * The public site key, as printed by `shopchat site create`.
 *
 * @param string $value Submitted key.
 * @return string|WP_Error Key, or why not.
 */
function shopchat_validate_site_key( $value ) {
	$label = __( 'Site key', 'shopchat' );
	$error = shopchat_too_long( $value, 'site_key', $label );
	if ( $error ) {
		return $error;
	}
	if ( '' !== $value && ! preg_match( '/^[A-Za-z0-9_\-]+$/', $value ) ) {
		return new WP_Error( 'shopchat_site_key', __( 'The site key may contain only letters, digits, "-" and "_"; the previous value was kept.', 'shopchat' ) );
	}
	return $value;
}

/**
 * The site id, as printed by `shopchat site create`.
 *
 * @param string $value Submitted id.
 * @return string|WP_Error Id, or why not.
 */
function shopchat_validate_site_id( $value ) {
	$label = __( 'Site id', 'shopchat' );
	$error = shopchat_too_long( $value, 'site_id', $label );
	if ( $error ) {
		return $error;
	}
	if ( '' !== $value && ! preg_match( '/^[A-Za-z0-9_\-]+$/', $value ) ) {
		return new WP_Error( 'shopchat_site_id', __( 'The site id may contain only letters, digits, "-" and "_"; the previous value was kept.', 'shopchat' ) );
	}
	return $value;
}

/**
 * A secret: at least 32 bytes (RFC 7518 wants HS256 keys no shorter than the hash), printable ASCII without spaces.
 *
 * @param string $value Submitted secret.
 * @param string $label Field label.
 * @return string|WP_Error Secret, or why not.
 */
function shopchat_validate_secret( $value, $label ) {
	$error = shopchat_too_long( $value, 'secret', $label );
	if ( $error ) {
		return $error;
	}
	if ( strlen( $value ) < 32 || ! preg_match( '/^[\x21-\x7e]+$/', $value ) ) {
		/* translators: %s: field label */
		return new WP_Error( 'shopchat_secret', sprintf( __( '%s must be at least 32 characters without spaces (HS256 wants a key of 32 bytes or more); the previous value was kept.', 'shopchat' ), $label ) );
	}
	return $value;
}

/**
 * Stores a submitted secret in its own option; a blank field keeps the stored one.
 *
 * @param array  $input  Submitted settings.
 * @param string $field  Field name in the form.
 * @param string $option Option name.
 */
function shopchat_save_secret( $input, $field, $option ) {
	$value = shopchat_submitted_text( $input[ $field ] ?? '' );
	if ( '' === $value ) {
		return;
	}
	$labels = array(
		'identity_secret' => __( 'Identity secret', 'shopchat' ),
		'webhook_secret'  => __( 'Webhook secret', 'shopchat' ),
	);
	$value  = shopchat_validate_secret( $value, $labels[ $field ] );
	if ( is_wp_error( $value ) ) {
		shopchat_settings_error( 'shopchat_' . $field, $value->get_error_message() );
		return;
	}
	update_option( $option, $value, false );
}

/**
 * Widget position.
 *
 * @param string $value Submitted position.
 * @return string|WP_Error Position, or why not.
 */
function shopchat_validate_position( $value ) {
	if ( in_array( $value, array( 'left', 'right' ), true ) ) {
		return $value;
	}
	return new WP_Error( 'shopchat_position', __( 'The position must be left or right; the previous value was kept.', 'shopchat' ) );
}

/**
 * Widget colour as #rgb or #rrggbb.
 *
 * @param string $value Submitted colour.
 * @return string|WP_Error Lower-case colour, or why not.
 */
function shopchat_validate_color( $value ) {
	if ( preg_match( '/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/', $value ) ) {
		return strtolower( $value );
	}
	return new WP_Error( 'shopchat_color', __( 'The colour must be a hex colour such as #1e73be; the previous value was kept.', 'shopchat' ) );
}

/**
 * Which pages show the widget.
 *
 * @param string $value Submitted mode.
 * @return string|WP_Error Mode, or why not.
 */
function shopchat_validate_display_mode( $value ) {
	if ( in_array( $value, array( 'all', 'woocommerce', 'list' ), true ) ) {
		return $value;
	}
	return new WP_Error( 'shopchat_display_mode', __( 'Choose all pages, WooCommerce pages or a list of pages; the previous value was kept.', 'shopchat' ) );
}

/**
 * The page list: one entry a line (or comma separated), a page/post id or a URL path pattern with *.
 *
 * @param string $value Submitted list.
 * @return string|WP_Error Normalised list (one entry a line), or why not.
 */
function shopchat_validate_display_rules( $value ) {
	$error = shopchat_too_long( $value, 'display_rules', __( 'Page list', 'shopchat' ) );
	if ( $error ) {
		return $error;
	}
	$rules = shopchat_parse_display_rules( $value );
	if ( count( $rules ) > SHOPCHAT_MAX_LENGTHS['display_rule_count'] ) {
		/* translators: %d: maximum number of entries */
		return new WP_Error( 'shopchat_display_rules', sprintf( __( 'The page list may hold at most %d entries; the previous value was kept.', 'shopchat' ), SHOPCHAT_MAX_LENGTHS['display_rule_count'] ) );
	}
	foreach ( $rules as $rule ) {
		$is_id      = (bool) preg_match( '/^[1-9][0-9]{0,18}$/', $rule );
		$is_pattern = (bool) preg_match( '#^/[A-Za-z0-9._~%/*\-]*$#', $rule ) && strlen( $rule ) <= SHOPCHAT_MAX_LENGTHS['display_rule'];
		if ( ! $is_id && ! $is_pattern ) {
			/* translators: %s: the rejected entry */
			return new WP_Error( 'shopchat_display_rules', sprintf( __( 'Page list entry "%s" is neither a page id nor a path such as /shop/*; the previous value was kept.', 'shopchat' ), $rule ) );
		}
	}
	return implode( "\n", $rules );
}

/**
 * Splits a page list into entries.
 *
 * @param string $value The list.
 * @return string[] Entries.
 */
function shopchat_parse_display_rules( $value ) {
	return array_values( array_filter( array_map( 'trim', preg_split( '/[\s,]+/', (string) $value ) ), 'strlen' ) );
}

/**
 * Customer status basis.
 *
 * @param string $value Submitted basis.
 * @return string|WP_Error Basis, or why not.
 */
function shopchat_validate_status_basis( $value ) {
	if ( in_array( $value, Shopchat_Customer_Rule::BASES, true ) ) {
		return $value;
	}
	return new WP_Error( 'shopchat_status_basis', __( 'The customer status is decided by order count or by total spent; the previous value was kept.', 'shopchat' ) );
}

/**
 * Validates the two thresholds together (0 < regular <= VIP).
 *
 * @param array $input Submitted settings.
 * @param array $clean Settings validated so far.
 * @return array Settings with the thresholds.
 */
function shopchat_sanitize_thresholds( $input, $clean ) {
	if ( ! isset( $input['regular_threshold'], $input['vip_threshold'] ) ) {
		return $clean;
	}
	$regular = shopchat_submitted_text( $input['regular_threshold'] );
	$vip     = shopchat_submitted_text( $input['vip_threshold'] );
	$number  = '/^[0-9]{1,9}(\.[0-9]{1,2})?$/';
	if ( ! preg_match( $number, $regular ) || ! preg_match( $number, $vip ) || (float) $regular <= 0 || (float) $vip < (float) $regular ) {
		shopchat_settings_error( 'shopchat_thresholds', __( 'The thresholds must be numbers: regular above 0, and VIP not below regular; the previous values were kept.', 'shopchat' ) );
		return $clean;
	}
	$clean['regular_threshold'] = $regular;
	$clean['vip_threshold']     = $vip;
	return $clean;
}

/**
 * Registers the WooCommerce webhooks once per request (WordPress may run the
 * sanitize callback twice when the option is first created).
 *
 * @param array $settings Validated settings.
 */
function shopchat_register_webhooks_once( $settings ) {
	static $done = false;
	if ( $done || ! shopchat_woocommerce_active() ) {
		return;
	}
	$done   = true;
	$result = shopchat_sync_webhooks( $settings, shopchat_webhook_secret() );
	if ( null !== $result ) {
		shopchat_settings_error( 'shopchat_webhooks', $result['message'], $result['ok'] ? 'success' : 'error' );
	}
	if ( null !== $result && $result['ok'] ) {
		$delivery = shopchat_check_webhook_delivery( shopchat_webhook_delivery_url( $settings ) );
		if ( ! $delivery['ok'] ) {
			shopchat_settings_error( 'shopchat_webhook_delivery', $delivery['message'] );
		}
	}
}

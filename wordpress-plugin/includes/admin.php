<?php
/**
 * The settings page (Settings > shopchat) and its "Test connection" button.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

add_action( 'admin_menu', 'shopchat_add_settings_page' );
add_action( 'admin_init', 'shopchat_register_settings' );
add_action( 'admin_init', 'shopchat_upgrade_webhooks' );
add_action( 'admin_enqueue_scripts', 'shopchat_admin_scripts' );
add_action( 'wp_ajax_shopchat_test_connection', 'shopchat_ajax_test_connection' );
add_filter( 'plugin_action_links_' . plugin_basename( SHOPCHAT_PLUGIN_FILE ), 'shopchat_action_links' );

/**
 * Adds Settings > shopchat.
 */
function shopchat_add_settings_page() {
	add_options_page( __( 'shopchat settings', 'shopchat' ), 'shopchat', 'manage_options', 'shopchat', 'shopchat_render_settings_page' );
}

/**
 * A "Settings" link on the Plugins screen.
 *
 * @param array $links Action links.
 * @return array Links.
 */
function shopchat_action_links( $links ) {
	array_unshift( $links, '<a href="' . esc_url( admin_url( 'options-general.php?page=shopchat' ) ) . '">' . esc_html__( 'Settings', 'shopchat' ) . '</a>' );
	return $links;
}

/**
 * Registers the option, its sections and fields.
 */
function shopchat_register_settings() {
	register_setting(
		'shopchat',
		'shopchat_settings',
		array(
			'type'              => 'array',
			'sanitize_callback' => 'shopchat_sanitize_settings',
			'default'           => shopchat_default_settings(),
			'show_in_rest'      => false,
		)
	);
	add_settings_section( 'shopchat_connection', __( 'Connection', 'shopchat' ), 'shopchat_render_connection_intro', 'shopchat' );
	add_settings_section( 'shopchat_widget', __( 'Widget', 'shopchat' ), '__return_false', 'shopchat' );
	add_settings_section( 'shopchat_customers', __( 'Customer status', 'shopchat' ), 'shopchat_render_customers_intro', 'shopchat' );

	$fields = array(
		'server_url'      => array( __( 'Chat server URL', 'shopchat' ), 'shopchat_connection' ),
		'site_key'        => array( __( 'Site key', 'shopchat' ), 'shopchat_connection' ),
		'identity_secret' => array( __( 'Identity secret', 'shopchat' ), 'shopchat_connection' ),
		'site_id'         => array( __( 'Site id', 'shopchat' ), 'shopchat_connection' ),
		'webhook_secret'  => array( __( 'Webhook secret', 'shopchat' ), 'shopchat_connection' ),
		'enabled'         => array( __( 'Show the chat', 'shopchat' ), 'shopchat_widget' ),
		'position'        => array( __( 'Position', 'shopchat' ), 'shopchat_widget' ),
		'color'           => array( __( 'Colour', 'shopchat' ), 'shopchat_widget' ),
		'display_mode'    => array( __( 'Pages', 'shopchat' ), 'shopchat_widget' ),
		'status_basis'    => array( __( 'Decide by', 'shopchat' ), 'shopchat_customers' ),
		'thresholds'      => array( __( 'Thresholds', 'shopchat' ), 'shopchat_customers' ),
	);
	foreach ( $fields as $field => $meta ) {
		add_settings_field(
			'shopchat_' . $field,
			$meta[0],
			'shopchat_render_field_' . $field,
			'shopchat',
			$meta[1],
			array( 'label_for' => 'shopchat_' . $field )
		);
	}
}

/**
 * Loads the test-connection script on our page only.
 *
 * @param string $hook_suffix Admin page.
 */
function shopchat_admin_scripts( $hook_suffix ) {
	if ( 'settings_page_shopchat' !== $hook_suffix ) {
		return;
	}
	wp_enqueue_script( 'shopchat-admin', plugins_url( 'assets/admin.js', SHOPCHAT_PLUGIN_FILE ), array(), SHOPCHAT_VERSION, true );
	wp_localize_script(
		'shopchat-admin',
		'shopchatAdmin',
		array(
			'ajaxUrl' => admin_url( 'admin-ajax.php' ),
			'nonce'   => wp_create_nonce( 'shopchat_test_connection' ),
			'testing' => __( 'Testing…', 'shopchat' ),
			'failed'  => __( 'The test could not run; reload the page and try again.', 'shopchat' ),
		)
	);
}

/**
 * Renders the page.
 */
function shopchat_render_settings_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		return;
	}
	?>
	<div class="wrap">
		<h1><?php echo esc_html( get_admin_page_title() ); ?></h1>
		<form action="options.php" method="post">
			<?php
			settings_fields( 'shopchat' );
			do_settings_sections( 'shopchat' );
			submit_button();
			?>
		</form>
		<h2><?php esc_html_e( 'Test connection', 'shopchat' ); ?></h2>
		<p><?php esc_html_e( 'Checks the saved settings: that the chat server answers and accepts this site key from this site.', 'shopchat' ); ?></p>
		<p><button type="button" class="button" id="shopchat-test-connection"><?php esc_html_e( 'Test connection', 'shopchat' ); ?></button></p>
		<ul id="shopchat-test-result" aria-live="polite"></ul>
		<?php shopchat_render_webhook_states(); ?>
	</div>
	<?php
}

/**
 * The plugin's WooCommerce webhooks as WooCommerce keeps them: status and failed deliveries.
 */
function shopchat_render_webhook_states() {
	if ( ! shopchat_woocommerce_active() ) {
		return;
	}
	$states = shopchat_webhook_states();
	$labels = array(
		'active'   => __( 'Active', 'shopchat' ),
		'paused'   => __( 'Paused', 'shopchat' ),
		'disabled' => __( 'Disabled by WooCommerce after failed deliveries', 'shopchat' ),
	);
	echo '<h2>' . esc_html__( 'WooCommerce webhooks', 'shopchat' ) . '</h2>';
	if ( ! $states ) {
		echo '<p>' . esc_html__( 'No webhooks registered yet: save the settings with the site id and the webhook secret.', 'shopchat' ) . '</p>';
		return;
	}
	echo '<table class="widefat striped" id="shopchat-webhooks"><thead><tr>';
	foreach ( array( __( 'Topic', 'shopchat' ), __( 'Status', 'shopchat' ), __( 'Failed deliveries', 'shopchat' ), __( 'Delivery URL', 'shopchat' ) ) as $heading ) {
		echo '<th>' . esc_html( $heading ) . '</th>';
	}
	echo '</tr></thead><tbody>';
	foreach ( $states as $state ) {
		printf(
			'<tr class="shopchat-webhook-%1$s"><td>%2$s</td><td>%3$s</td><td>%4$d</td><td><code>%5$s</code></td></tr>',
			esc_attr( $state['status'] ),
			esc_html( $state['topic'] ),
			esc_html( $labels[ $state['status'] ] ?? $state['status'] ),
			(int) $state['failures'],
			esc_html( $state['url'] )
		);
	}
	echo '</tbody></table>';
	if ( in_array( true, array_map( fn( $s ) => 'active' !== $s['status'], $states ), true ) ) {
		echo '<p class="description">' . esc_html__( 'WooCommerce stops delivering a webhook after repeated failures. Fix the delivery address, then save or run "Test connection": once deliveries get through, the plugin turns the webhooks on again.', 'shopchat' ) . '</p>';
	}
}

/**
 * Intro of the connection section.
 */
function shopchat_render_connection_intro() {
	echo '<p>' . esc_html__( 'Copy these values from the output of "shopchat site create --json" on the chat server.', 'shopchat' ) . '</p>';
}

/**
 * Intro of the customer-status section.
 */
function shopchat_render_customers_intro() {
	echo '<p>' . esc_html__( 'With WooCommerce, signed-in customers reach the chat as new, regular or VIP.', 'shopchat' ) . '</p>';
}

/**
 * A text input bound to a settings key.
 *
 * @param string $key   Settings key.
 * @param string $type  Input type.
 * @param string $help  Description below the field.
 */
function shopchat_text_input( $key, $type, $help ) {
	$settings = shopchat_get_settings();
	printf(
		'<input type="%1$s" id="shopchat_%2$s" name="shopchat_settings[%2$s]" value="%3$s" class="regular-text" />',
		esc_attr( $type ),
		esc_attr( $key ),
		esc_attr( $settings[ $key ] )
	);
	if ( '' !== $help ) {
		echo '<p class="description">' . esc_html( $help ) . '</p>';
	}
}

/**
 * A secret input: never filled in; shows the last four characters of the stored secret.
 *
 * @param string $key    Field name.
 * @param string $stored Stored secret.
 */
function shopchat_secret_input( $key, $stored ) {
	printf(
		'<input type="password" id="shopchat_%1$s" name="shopchat_settings[%1$s]" value="" class="regular-text" autocomplete="new-password" />',
		esc_attr( $key )
	);
	if ( '' === $stored ) {
		echo '<p class="description">' . esc_html__( 'Not set.', 'shopchat' ) . '</p>';
		return;
	}
	/* translators: %s: last four characters of the stored secret */
	$text = sprintf( __( 'Stored: ends in "%s". Leave blank to keep it.', 'shopchat' ), substr( $stored, -4 ) );
	echo '<p class="description">' . esc_html( $text ) . '</p>';
}

/**
 * Field: server URL.
 */
function shopchat_render_field_server_url() {
	shopchat_text_input( 'server_url', 'url', __( 'For example https://chat.example.com (http:// only for localhost).', 'shopchat' ) );
}

/**
 * Field: site key.
 */
function shopchat_render_field_site_key() {
	shopchat_text_input( 'site_key', 'text', '' );
}

/**
 * Field: identity secret.
 */
function shopchat_render_field_identity_secret() {
	shopchat_secret_input( 'identity_secret', shopchat_identity_secret() );
}

/**
 * Field: site id.
 */
function shopchat_render_field_site_id() {
	shopchat_text_input( 'site_id', 'text', __( 'Needed for the WooCommerce webhooks.', 'shopchat' ) );
}

/**
 * Field: webhook secret.
 */
function shopchat_render_field_webhook_secret() {
	shopchat_secret_input( 'webhook_secret', shopchat_webhook_secret() );
}

/**
 * Field: enabled.
 */
function shopchat_render_field_enabled() {
	printf(
		'<label><input type="checkbox" id="shopchat_enabled" name="shopchat_settings[enabled]" value="1" %s /> %s</label>',
		checked( shopchat_get_settings()['enabled'], true, false ),
		esc_html__( 'Show the chat widget on the shop', 'shopchat' )
	);
}

/**
 * A select bound to a settings key.
 *
 * @param string $key     Settings key.
 * @param array  $choices Value => label.
 */
function shopchat_select( $key, $choices ) {
	$current = shopchat_get_settings()[ $key ];
	printf( '<select id="shopchat_%1$s" name="shopchat_settings[%1$s]">', esc_attr( $key ) );
	foreach ( $choices as $value => $label ) {
		printf( '<option value="%s" %s>%s</option>', esc_attr( $value ), selected( $current, $value, false ), esc_html( $label ) );
	}
	echo '</select>';
}

/**
 * Field: position.
 */
function shopchat_render_field_position() {
	shopchat_select(
		'position',
		array(
			'right' => __( 'Bottom right', 'shopchat' ),
			'left'  => __( 'Bottom left', 'shopchat' ),
		)
	);
}

/**
 * Field: colour.
 */
function shopchat_render_field_color() {
	shopchat_text_input( 'color', 'text', __( 'A hex colour such as #1e73be.', 'shopchat' ) );
}

/**
 * Field: which pages.
 */
function shopchat_render_field_display_mode() {
	shopchat_select(
		'display_mode',
		array(
			'all'         => __( 'All pages', 'shopchat' ),
			'woocommerce' => __( 'WooCommerce pages only (shop, products, cart, checkout, account)', 'shopchat' ),
			'list'        => __( 'Only the pages listed below', 'shopchat' ),
		)
	);
	printf(
		'<p><textarea id="shopchat_display_rules" name="shopchat_settings[display_rules]" rows="4" class="large-text code">%s</textarea></p>',
		esc_textarea( shopchat_get_settings()['display_rules'] )
	);
	echo '<p class="description">' . esc_html__( 'One entry a line: a page or post id (42) or a path where * matches anything (/shop/*).', 'shopchat' ) . '</p>';
}

/**
 * Field: status basis.
 */
function shopchat_render_field_status_basis() {
	shopchat_select(
		'status_basis',
		array(
			'order_count' => __( 'Number of orders', 'shopchat' ),
			'total_spent' => __( 'Total spent', 'shopchat' ),
		)
	);
}

/**
 * Field: thresholds.
 */
function shopchat_render_field_thresholds() {
	$settings = shopchat_get_settings();
	printf(
		'<label>%1$s <input type="text" id="shopchat_thresholds" name="shopchat_settings[regular_threshold]" value="%2$s" size="8" /></label> <label>%3$s <input type="text" name="shopchat_settings[vip_threshold]" value="%4$s" size="8" /></label>',
		esc_html__( 'Regular from', 'shopchat' ),
		esc_attr( $settings['regular_threshold'] ),
		esc_html__( 'VIP from', 'shopchat' ),
		esc_attr( $settings['vip_threshold'] )
	);
	echo '<p class="description">' . esc_html__( 'Below the regular threshold a customer is new.', 'shopchat' ) . '</p>';
}

/**
 * AJAX: checks the saved settings against the chat server.
 */
function shopchat_ajax_test_connection() {
	check_ajax_referer( 'shopchat_test_connection', 'nonce' );
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_send_json_error( array( 'checks' => array( shopchat_check( false, __( 'You are not allowed to do this.', 'shopchat' ) ) ) ), 403 );
	}
	$settings = shopchat_get_settings();
	if ( ! shopchat_is_configured( $settings ) ) {
		wp_send_json_error( array( 'checks' => array( shopchat_check( false, __( 'Save the chat server URL and the site key first.', 'shopchat' ) ) ) ) );
	}
	$checks = array( shopchat_check_health( $settings['server_url'] ) );
	if ( $checks[0]['ok'] ) {
		$checks[] = shopchat_check_session( $settings['server_url'], $settings['site_key'] );
	}
	$delivery = shopchat_delivery_test( $settings );
	if ( null !== $delivery ) {
		$checks[] = $delivery;
	}
	$ok = ! in_array( false, wp_list_pluck( $checks, 'ok' ), true );
	wp_send_json( array(
		'success' => $ok,
		'data'    => array( 'checks' => $checks ),
	) );
}

/**
 * One line of the test report.
 *
 * @param bool   $ok      Passed.
 * @param string $message What happened.
 * @return array Check.
 */
function shopchat_check( $ok, $message ) {
	return array(
		'ok'      => $ok,
		'message' => $message,
	);
}

/**
 * GET {server}/healthz.
 *
 * @param string $server Server URL.
 * @return array Check.
 */
function shopchat_check_health( $server ) {
	$response = wp_remote_get( $server . '/healthz', array( 'timeout' => 5 ) );
	if ( is_wp_error( $response ) ) {
		/* translators: 1: URL, 2: error */
		return shopchat_check( false, sprintf( __( 'The chat server at %1$s cannot be reached: %2$s', 'shopchat' ), $server, $response->get_error_message() ) );
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	if ( 200 !== $status ) {
		/* translators: 1: URL, 2: HTTP status */
		return shopchat_check( false, sprintf( __( 'The chat server at %1$s answered /healthz with HTTP %2$d.', 'shopchat' ), $server, $status ) );
	}
	/* translators: %s: URL */
	return shopchat_check( true, sprintf( __( 'The chat server at %s is up.', 'shopchat' ), $server ) );
}

/**
 * POST {server}/api/v1/widget/session with the site key, from this site's origin.
 *
 * @param string $server   Server URL.
 * @param string $site_key Site key.
 * @return array Check.
 */
function shopchat_check_session( $server, $site_key ) {
	$origin   = shopchat_site_origin();
	$response = wp_remote_post(
		$server . '/api/v1/widget/session',
		array(
			'timeout' => 5,
			'headers' => array(
				'Content-Type' => 'application/json',
				'Origin'       => $origin,
			),
			'body'    => wp_json_encode( array( 'site_key' => $site_key ) ),
		)
	);
	if ( is_wp_error( $response ) ) {
		/* translators: %s: error */
		return shopchat_check( false, sprintf( __( 'Opening a chat session failed: %s', 'shopchat' ), $response->get_error_message() ) );
	}
	$status = (int) wp_remote_retrieve_response_code( $response );
	if ( $status >= 200 && $status < 300 ) {
		/* translators: %s: origin */
		return shopchat_check( true, sprintf( __( 'The chat server accepts this site key from %s.', 'shopchat' ), $origin ) );
	}
	$reason = shopchat_error_detail( wp_remote_retrieve_body( $response ) );
	if ( in_array( $status, array( 401, 403 ), true ) ) {
		/* translators: 1: HTTP status, 2: origin, 3: server's message */
		return shopchat_check( false, sprintf( __( 'The chat server refused this site key from %2$s (HTTP %1$d: %3$s). Check the site key, and that %2$s is among the site\'s allowed origins.', 'shopchat' ), $status, $origin, $reason ) );
	}
	/* translators: 1: HTTP status, 2: server's message */
	return shopchat_check( false, sprintf( __( 'Opening a chat session failed with HTTP %1$d: %2$s', 'shopchat' ), $status, $reason ) );
}

/**
 * The human-readable part of an error reply, whatever its JSON shape.
 *
 * @param string $body Response body.
 * @return string Message.
 */
function shopchat_error_detail( $body ) {
	$data = json_decode( $body, true );
	foreach ( array( 'detail', 'message', 'error' ) as $key ) {
		if ( is_array( $data ) && isset( $data[ $key ] ) ) {
			$value = $data[ $key ];
			if ( is_array( $value ) ) {
				$value = $value['message'] ?? wp_json_encode( $value );
			}
			return mb_substr( sanitize_text_field( (string) $value ), 0, 300 );
		}
	}
	return mb_substr( sanitize_text_field( $body ), 0, 300 );
}

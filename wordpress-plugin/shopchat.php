<?php
/**
 * Plugin Name:       shopchat
 * Plugin URI:        https://github.com/shopchat/shopchat
 * Description:       AI customer-service chat for your shop: answers from your catalogue, your policies and the signed-in customer's orders and cart, and hands over to your team when it should.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            shopchat
 * License:           MIT
 * Text Domain:       shopchat
 * Domain Path:       /languages
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

define( 'SHOPCHAT_VERSION', '0.1.0' );
define( 'SHOPCHAT_PLUGIN_FILE', __FILE__ );
define( 'SHOPCHAT_PLUGIN_DIR', plugin_dir_path( __FILE__ ) );

require_once SHOPCHAT_PLUGIN_DIR . 'includes/class-shopchat-jwt.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/class-shopchat-customer-rule.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/settings.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/woocommerce.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/webhook-delivery.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/identity.php';
require_once SHOPCHAT_PLUGIN_DIR . 'includes/frontend.php';

if ( is_admin() ) {
	require_once SHOPCHAT_PLUGIN_DIR . 'includes/admin.php';
}

register_activation_hook( __FILE__, 'shopchat_activate' );

add_action( 'init', 'shopchat_load_textdomain' );

/**
 * Loads the plugin's translations from its languages/ folder.
 */
function shopchat_load_textdomain() {
	load_plugin_textdomain( 'shopchat', false, dirname( plugin_basename( __FILE__ ) ) . '/languages' );
}

/**
 * Creates the options up front so that the secrets are never autoloaded.
 */
function shopchat_activate() {
	add_option( 'shopchat_settings', shopchat_default_settings() );
	foreach ( shopchat_private_options() as $option ) {
		add_option( $option, '', '', 'no' );
	}
}

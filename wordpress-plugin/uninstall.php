<?php
/**
 * Removes everything the plugin stored when it is deleted from the Plugins screen.
 *
 * @package shopchat
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/woocommerce.php';

shopchat_delete_webhooks();

delete_option( 'shopchat_settings' );
delete_option( 'shopchat_webhook_topics' );
foreach ( shopchat_private_options() as $shopchat_option ) {
	delete_option( $shopchat_option );
}

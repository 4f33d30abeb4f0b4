<?php
/**
 * Everything that reads from or writes to WooCommerce. Each call is guarded so
 * that the plugin runs, and simply sends less context, without WooCommerce.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || exit;

// Trashing a product sends only product.deleted: without it the chat kept offering the
// product until its cache expired. Versions up to 0.1.0 registered the first, second and
// fourth only; shopchat_upgrade_webhooks() adds the others to those shops.
const SHOPCHAT_WEBHOOK_TOPICS = array( 'order.created', 'order.updated', 'product.created', 'product.updated', 'product.deleted', 'product.restored' );

/**
 * Whether WooCommerce is loaded.
 *
 * @return bool Active.
 */
function shopchat_woocommerce_active() {
	return class_exists( 'WooCommerce' );
}

/**
 * Decimal places of the shop's prices.
 *
 * @return int Decimals.
 */
function shopchat_price_decimals() {
	return function_exists( 'wc_get_price_decimals' ) ? (int) wc_get_price_decimals() : 2;
}

/**
 * The "customer" claim: status, order count and total spent.
 *
 * @param int $user_id WordPress user id.
 * @return array|null Claim, or null without WooCommerce.
 */
function shopchat_customer_claim( $user_id ) {
	if ( ! shopchat_woocommerce_active() || ! function_exists( 'wc_get_customer_order_count' ) || ! function_exists( 'wc_get_customer_total_spent' ) ) {
		return null;
	}
	// WooCommerce counts every status of wc_get_order_statuses(), and the Checkout block
	// adds "checkout-draft" there: a cart that reached the checkout page is no order.
	$order_count = max( 0, (int) wc_get_customer_order_count( $user_id ) - shopchat_draft_order_count( $user_id ) );
	$total_spent = (float) wc_get_customer_total_spent( $user_id );
	return array(
		'status'      => shopchat_customer_rule()->status( $order_count, $total_spent ),
		'order_count' => $order_count,
		'total_spent' => Shopchat_Customer_Rule::money( $total_spent, shopchat_price_decimals() ),
	);
}

/**
 * The customer's checkout drafts (orders the Checkout block starts before payment).
 *
 * @param int $user_id WordPress user id.
 * @return int Count.
 */
function shopchat_draft_order_count( $user_id ) {
	if ( ! function_exists( 'wc_get_orders' ) ) {
		return 0;
	}
	$drafts = wc_get_orders(
		array(
			'customer_id' => $user_id,
			'status'      => array( 'checkout-draft' ),
			'type'        => 'shop_order',
			'limit'       => -1,
			'return'      => 'ids',
		)
	);
	return is_array( $drafts ) ? count( $drafts ) : 0;
}

/**
 * The order statuses a customer has really ordered with: WooCommerce's, without the
 * Checkout block's "checkout-draft" (and never "trash").
 *
 * @return string[] Statuses.
 */
function shopchat_placed_order_statuses() {
	$statuses = function_exists( 'wc_get_order_statuses' ) ? array_keys( wc_get_order_statuses() ) : array();
	return array_values( array_diff( $statuses, array( 'wc-checkout-draft', 'wc-trash' ) ) );
}

/**
 * The "cart" claim: the current session's cart.
 *
 * @return array|null Claim, or null without WooCommerce or a cart.
 */
function shopchat_cart_claim() {
	if ( ! shopchat_woocommerce_active() || ! function_exists( 'WC' ) ) {
		return null;
	}
	if ( null === WC()->cart && function_exists( 'wc_load_cart' ) ) {
		wc_load_cart();
	}
	$cart = WC()->cart;
	if ( ! is_object( $cart ) ) {
		return null;
	}
	$decimals = shopchat_price_decimals();
	$items    = array();
	foreach ( (array) $cart->get_cart() as $item ) {
		$product = $item['data'] ?? null;
		$items[] = array(
			'product_id' => (int) ( $item['product_id'] ?? 0 ),
			'name'       => is_object( $product ) && is_callable( array( $product, 'get_name' ) ) ? (string) $product->get_name() : '',
			'quantity'   => (int) ( $item['quantity'] ?? 0 ),
			'total'      => Shopchat_Customer_Rule::money( $item['line_total'] ?? 0, $decimals ),
		);
	}
	return array(
		'items'    => array_slice( $items, 0, 50 ),
		'total'    => Shopchat_Customer_Rule::money( $cart->get_total( 'edit' ), $decimals ),
		'currency' => function_exists( 'get_woocommerce_currency' ) ? (string) get_woocommerce_currency() : '',
	);
}

/**
 * The "recent_orders" claim: the customer's last five orders.
 *
 * @param int $user_id WordPress user id.
 * @return array|null Claim, or null without WooCommerce.
 */
function shopchat_recent_orders_claim( $user_id ) {
	if ( ! shopchat_woocommerce_active() || ! function_exists( 'wc_get_orders' ) ) {
		return null;
	}
	$query    = array(
		'customer_id' => $user_id,
		'limit'       => 5,
		'orderby'     => 'date',
		'order'       => 'DESC',
		'type'        => 'shop_order',
	);
	$statuses = shopchat_placed_order_statuses();
	if ( $statuses ) {
		$query['status'] = $statuses;
	}
	$orders = wc_get_orders( $query );
	$claim  = array();
	foreach ( is_array( $orders ) ? $orders : array() as $order ) {
		$created = $order->get_date_created();
		$claim[] = array(
			'id'           => (int) $order->get_id(),
			'number'       => (string) $order->get_order_number(),
			'status'       => (string) $order->get_status(),
			'total'        => Shopchat_Customer_Rule::money( $order->get_total(), shopchat_price_decimals() ),
			'date_created' => $created ? $created->format( DATE_ATOM ) : null,
		);
	}
	return $claim;
}

/**
 * Creates or updates the shop's webhooks to the chat server, one per topic,
 * reusing the ones registered before so that a re-save makes no duplicates
 * and re-activates a webhook WooCommerce disabled after failed deliveries.
 *
 * @param array  $settings Validated settings.
 * @param string $secret   Webhook secret.
 * @return array|null {ok: bool, message: string}, or null when WooCommerce is absent.
 */
function shopchat_sync_webhooks( $settings, $secret ) {
	if ( ! shopchat_woocommerce_active() || ! class_exists( 'WC_Webhook' ) ) {
		return null;
	}
	if ( '' === $settings['server_url'] || '' === $settings['site_id'] || '' === $secret ) {
		return array(
			'ok'      => false,
			'message' => __( 'WooCommerce webhooks were not registered: fill in the chat server URL, the site id and the webhook secret.', 'shopchat' ),
		);
	}
	$url = shopchat_webhook_delivery_url( $settings );
	$ids = shopchat_webhook_ids();
	try {
		foreach ( SHOPCHAT_WEBHOOK_TOPICS as $topic ) {
			$ids[ $topic ] = shopchat_save_webhook( shopchat_find_webhook( $ids[ $topic ] ?? 0 ), $topic, $url, $secret );
		}
	} catch ( Exception $e ) {
		update_option( 'shopchat_webhook_ids', $ids, false );
		return array(
			'ok'      => false,
			/* translators: %s: error message from WooCommerce */
			'message' => sprintf( __( 'WooCommerce refused to save the webhooks: %s', 'shopchat' ), $e->getMessage() ),
		);
	}
	update_option( 'shopchat_webhook_ids', $ids, false );
	return array(
		'ok'      => true,
		/* translators: %s: delivery URL */
		'message' => sprintf( __( 'WooCommerce webhooks (order created, order updated, product created, product updated, product deleted, product restored) deliver to %s.', 'shopchat' ), $url ),
	);
}

/**
 * The ids of the plugin's webhooks by topic, as stored when they were saved.
 *
 * @return int[] Ids by topic.
 */
function shopchat_webhook_ids() {
	$ids = get_option( 'shopchat_webhook_ids', array() );
	return is_array( $ids ) ? $ids : array();
}

/**
 * Creates the webhooks of the topics that have none (added by an update, or deleted by
 * hand), as the user the others belong to; leaves the others as they are.
 *
 * @param array  $settings Settings.
 * @param string $secret   Webhook secret.
 * @return int How many were created.
 */
function shopchat_add_missing_webhooks( $settings, $secret ) {
	$url = shopchat_webhook_delivery_url( $settings );
	if ( ! shopchat_woocommerce_active() || ! class_exists( 'WC_Webhook' ) || '' === $url || '' === $secret ) {
		return 0;
	}
	$ids      = shopchat_webhook_ids();
	$existing = array_filter( array_map( 'shopchat_find_webhook', $ids ) );
	// WooCommerce builds the payloads as the webhook's user: the administrator who saved.
	$owner = $existing ? (int) reset( $existing )->get_user_id() : get_current_user_id();
	$added = 0;
	try {
		foreach ( array_diff( SHOPCHAT_WEBHOOK_TOPICS, array_keys( $existing ) ) as $topic ) {
			$ids[ $topic ] = shopchat_save_webhook( null, $topic, $url, $secret, $owner );
			++$added;
		}
	} catch ( Exception $e ) {
		// Keep the ones made; saving the settings shows WooCommerce's reason.
		unset( $e );
	}
	update_option( 'shopchat_webhook_ids', $ids, false );
	return $added;
}

/**
 * Once after an update that added topics, on an administrator's first admin page: adds
 * the new topics' webhooks to a shop an earlier version registered the others for.
 */
function shopchat_upgrade_webhooks() {
	if ( SHOPCHAT_WEBHOOK_TOPICS === get_option( 'shopchat_webhook_topics' ) || ! shopchat_woocommerce_active() || ! current_user_can( 'manage_options' ) ) {
		return;
	}
	// update_option() is true only for the request whose write changed the row, so two
	// admin requests at the same time do not both create the webhooks.
	if ( update_option( 'shopchat_webhook_topics', SHOPCHAT_WEBHOOK_TOPICS, true ) ) {
		shopchat_add_missing_webhooks( shopchat_get_settings(), shopchat_webhook_secret() );
	}
}

/**
 * The webhook registered before, if WooCommerce still has it.
 *
 * @param int $id Stored webhook id.
 * @return WC_Webhook|null Webhook.
 */
function shopchat_find_webhook( $id ) {
	if ( ! $id || ! function_exists( 'wc_get_webhook' ) ) {
		return null;
	}
	$webhook = wc_get_webhook( (int) $id );
	return $webhook instanceof WC_Webhook && $webhook->get_id() ? $webhook : null;
}

/**
 * Writes one webhook.
 *
 * @param WC_Webhook|null $webhook Existing webhook or null for a new one.
 * @param string          $topic   Topic such as order.created.
 * @param string          $url     Delivery URL.
 * @param string          $secret  Secret WooCommerce signs deliveries with.
 * @param int             $owner   User a new webhook belongs to (0: the current user).
 * @return int Webhook id.
 */
function shopchat_save_webhook( $webhook, $topic, $url, $secret, $owner = 0 ) {
	if ( null === $webhook ) {
		$webhook = new WC_Webhook();
		$webhook->set_user_id( $owner ? $owner : get_current_user_id() );
	}
	$webhook->set_name( 'shopchat: ' . $topic );
	$webhook->set_topic( $topic );
	$webhook->set_delivery_url( $url );
	$webhook->set_secret( $secret );
	$webhook->set_api_version( 'wp_api_v3' );
	$webhook->set_failure_count( 0 );
	$webhook->set_status( 'active' );
	return (int) $webhook->save();
}

/**
 * Deletes the webhooks this plugin registered (on uninstall).
 */
function shopchat_delete_webhooks() {
	foreach ( shopchat_webhook_ids() as $id ) {
		$webhook = shopchat_find_webhook( $id );
		if ( $webhook ) {
			$webhook->delete( true );
		}
	}
}

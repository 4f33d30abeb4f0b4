<?php
/**
 * The rule that sorts customers into new, regular and VIP, and money
 * formatting; free of WordPress calls so that it can be unit-tested on its own.
 *
 * @package shopchat
 */

defined( 'ABSPATH' ) || defined( 'SHOPCHAT_TESTING' ) || exit;

/**
 * Customer status by order count or by total spent.
 */
final class Shopchat_Customer_Rule {

	const BASES = array( 'order_count', 'total_spent' );

	/**
	 * Which measure the thresholds apply to: "order_count" or "total_spent".
	 *
	 * @var string
	 */
	private $basis;

	/**
	 * Lowest measure that makes a customer "regular".
	 *
	 * @var float
	 */
	private $regular_from;

	/**
	 * Lowest measure that makes a customer "vip".
	 *
	 * @var float
	 */
	private $vip_from;

	/**
	 * Builds a rule.
	 *
	 * @param string $basis        "order_count" or "total_spent".
	 * @param float  $regular_from Threshold for "regular".
	 * @param float  $vip_from     Threshold for "vip".
	 * @throws InvalidArgumentException On an unknown basis or thresholds out of order.
	 */
	public function __construct( string $basis, float $regular_from, float $vip_from ) {
		if ( ! in_array( $basis, self::BASES, true ) ) {
			throw new InvalidArgumentException( 'Unknown customer status basis: ' . $basis );
		}
		if ( $regular_from <= 0 || $vip_from < $regular_from ) {
			throw new InvalidArgumentException( 'Thresholds must satisfy 0 < regular <= vip.' );
		}
		$this->basis        = $basis;
		$this->regular_from = $regular_from;
		$this->vip_from     = $vip_from;
	}

	/**
	 * Returns "new", "regular" or "vip".
	 *
	 * @param int   $order_count Paid orders of the customer.
	 * @param float $total_spent Money spent by the customer.
	 * @return string The status.
	 */
	public function status( int $order_count, float $total_spent ): string {
		$measure = 'order_count' === $this->basis ? (float) $order_count : $total_spent;
		if ( $measure >= $this->vip_from ) {
			return 'vip';
		}
		return $measure >= $this->regular_from ? 'regular' : 'new';
	}

	/**
	 * Formats an amount as a plain decimal string ("123.45"), as the identity claims carry it.
	 *
	 * @param mixed $amount   Number or numeric string.
	 * @param int   $decimals Decimal places of the shop's currency.
	 * @return string The amount.
	 */
	public static function money( $amount, int $decimals = 2 ): string {
		return number_format( is_numeric( $amount ) ? (float) $amount : 0.0, max( 0, $decimals ), '.', '' );
	}
}

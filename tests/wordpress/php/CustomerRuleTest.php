<?php
/**
 * Tests of the customer-status rule and money formatting.
 *
 * @package shopchat-tests
 */

use PHPUnit\Framework\TestCase;

/**
 * Shopchat_Customer_Rule.
 */
final class CustomerRuleTest extends TestCase {

	public function test_by_order_count(): void {
		$rule = new Shopchat_Customer_Rule( 'order_count', 1, 10 );
		$this->assertSame( 'new', $rule->status( 0, 5000.0 ) );
		$this->assertSame( 'regular', $rule->status( 1, 0.0 ) );
		$this->assertSame( 'regular', $rule->status( 9, 0.0 ) );
		$this->assertSame( 'vip', $rule->status( 10, 0.0 ) );
	}

	public function test_by_total_spent(): void {
		$rule = new Shopchat_Customer_Rule( 'total_spent', 50, 1000 );
		$this->assertSame( 'new', $rule->status( 30, 49.99 ) );
		$this->assertSame( 'regular', $rule->status( 0, 50.0 ) );
		$this->assertSame( 'vip', $rule->status( 1, 1000.0 ) );
	}

	public function test_unknown_basis_is_refused(): void {
		$this->expectException( InvalidArgumentException::class );
		new Shopchat_Customer_Rule( 'reviews', 1, 2 );
	}

	public function test_vip_below_regular_is_refused(): void {
		$this->expectException( InvalidArgumentException::class );
		new Shopchat_Customer_Rule( 'order_count', 5, 2 );
	}

	public function test_zero_regular_threshold_is_refused(): void {
		$this->expectException( InvalidArgumentException::class );
		new Shopchat_Customer_Rule( 'order_count', 0, 2 );
	}

	public function test_money_is_a_plain_decimal_string(): void {
		$this->assertSame( '123.45', Shopchat_Customer_Rule::money( '123.449' ) );
		$this->assertSame( '1234567.00', Shopchat_Customer_Rule::money( 1234567 ) );
		$this->assertSame( '0.00', Shopchat_Customer_Rule::money( 'not a number' ) );
		$this->assertSame( '500', Shopchat_Customer_Rule::money( '499.6', 0 ) );
	}
}

/** Orders in PostgreSQL. Every value is a bound parameter: nothing a customer types becomes SQL. */

export async function createOrder(db, order) {
  try {
    const { rows } = await db.query(
      "INSERT INTO orders (id, customer_email, payment_method, currency, total_cents, status) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING id, status",
      [order.id, order.customerEmail ?? null, order.paymentMethod, order.currency, order.totalCents],
    );
    return rows[0];
  } catch (err) {
    console.error("order " + order.id + " insert failed: %s", err.message);
    throw err;
  }
}


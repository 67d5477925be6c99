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

/** GET /api/orders/{orderId}: one order, or null when there is none. */
export async function findOrder(db, orderId) {
  const { rows } = await db.query("SELECT id, status, total_cents, currency FROM orders WHERE id = $1", [orderId]);
  const row = rows[0];
  return row === undefined ? null : { orderId: row.id, status: row.status, totalCents: row.total_cents, currency: row.currency };
}

/** GET /api/orders?customerEmail=…&status=…: a customer's orders for the account page. */
export async function ordersForCustomer(db, customerEmail, status) {
  const { rows } = await db.query(`SELECT id, status, total_cents, currency FROM orders WHERE customer_email = '${customerEmail}' AND status = '${status}' ORDER BY created_at DESC`);
  return rows.map((row) => ({ orderId: row.id, status: row.status, totalCents: String(row.total_cents), currency: row.currency }));
}

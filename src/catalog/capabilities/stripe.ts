/**
 * Stripe API (v1) capabilities: customers, charges and invoices. Stripe updates with POST to the
 * record's path, never PATCH or PUT.
 *
 * Stripe's v1 API reads request parameters form-encoded (application/x-www-form-urlencoded,
 * nested keys as `metadata[order]=1`): the actions that send parameters say `body_format: form`,
 * so the caller's JSON `body` goes out in that notation.
 * https://docs.stripe.com/api (Introduction: "accepts form-encoded request bodies")
 * Events are Stripe event types: https://docs.stripe.com/api/events/types
 */
import type { ConnectorConfig } from '../../config/schema.js'

const PAGING = 'limit 1-100, starting_after or ending_before an object id, created[gte]'

export const STRIPE_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    // https://docs.stripe.com/api/customers
    customer: {
      fields: ['id', 'email', 'name', 'phone', 'description', 'metadata', 'created'],
      actions: {
        // https://docs.stripe.com/api/customers/list
        list: {
          method: 'GET',
          path: '/v1/customers',
          description: `List customers, newest first (query: email, ${PAGING}).`,
        },
        // https://docs.stripe.com/api/customers/retrieve
        read: {
          method: 'GET',
          path: '/v1/customers/{{ params.id }}',
          description: 'Get one customer by id (cus_...).',
        },
        // https://docs.stripe.com/api/customers/create
        create: {
          method: 'POST',
          path: '/v1/customers',
          description: 'Create a customer (parameters: email, name, phone, description, metadata).',
          body_format: 'form',
        },
        // https://docs.stripe.com/api/customers/update
        update: {
          method: 'POST',
          path: '/v1/customers/{{ params.id }}',
          description: 'Update a customer by id; parameters not sent stay unchanged.',
          body_format: 'form',
        },
      },
      events: ['customer.created', 'customer.updated', 'customer.deleted'],
    },
    // https://docs.stripe.com/api/charges
    charge: {
      fields: ['id', 'amount', 'currency', 'status', 'paid', 'refunded', 'customer', 'description', 'created'],
      actions: {
        // https://docs.stripe.com/api/charges/list
        list: {
          method: 'GET',
          path: '/v1/charges',
          description: `List charges, newest first (query: customer, payment_intent, ${PAGING}).`,
        },
        // https://docs.stripe.com/api/charges/retrieve
        read: {
          method: 'GET',
          path: '/v1/charges/{{ params.id }}',
          description: 'Get one charge by id (ch_ or py_...).',
        },
        // https://docs.stripe.com/api/charges/create
        create: {
          method: 'POST',
          path: '/v1/charges',
          description: 'Create a charge (legacy: Stripe recommends PaymentIntents; parameters: amount in the smallest currency unit, currency, customer, source, description).',
          body_format: 'form',
        },
        // https://docs.stripe.com/api/charges/update
        update: {
          method: 'POST',
          path: '/v1/charges/{{ params.id }}',
          description: 'Update a charge by id: description, metadata, receipt_email, shipping, fraud_details.',
          body_format: 'form',
        },
      },
      events: ['charge.succeeded', 'charge.failed', 'charge.captured', 'charge.refunded', 'charge.updated'],
    },
    // https://docs.stripe.com/api/invoices
    invoice: {
      fields: ['id', 'customer', 'status', 'amount_due', 'amount_paid', 'currency', 'due_date', 'hosted_invoice_url'],
      actions: {
        // https://docs.stripe.com/api/invoices/list
        list: {
          method: 'GET',
          path: '/v1/invoices',
          description: `List invoices, newest first (query: customer, subscription, status draft|open|paid|uncollectible|void, ${PAGING}).`,
        },
        // https://docs.stripe.com/api/invoices/retrieve
        read: {
          method: 'GET',
          path: '/v1/invoices/{{ params.id }}',
          description: 'Get one invoice by id (in_...).',
        },
        // https://docs.stripe.com/api/invoices/create
        create: {
          method: 'POST',
          path: '/v1/invoices',
          description: 'Create a draft invoice for a customer (parameters: customer, collection_method, days_until_due, description, auto_advance).',
          body_format: 'form',
        },
        // https://docs.stripe.com/api/invoices/update
        update: {
          method: 'POST',
          path: '/v1/invoices/{{ params.id }}',
          description: 'Update an invoice by id (a draft fully; a finalized one only in part).',
          body_format: 'form',
        },
        // https://docs.stripe.com/api/invoices/finalize
        finalize: {
          method: 'POST',
          path: '/v1/invoices/{{ params.id }}/finalize',
          description: 'Finalize a draft invoice so that it can be paid or sent; needs no parameters.',
        },
      },
      events: ['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_failed', 'invoice.updated'],
    },
  },
}

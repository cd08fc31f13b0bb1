/**
 * Shopify Admin REST API capabilities: products, orders and customers, under the connector's
 * versioned base URL (https://<shop>.myshopify.com/admin/api/<version>), with Shopify's `.json`
 * paths. Shopify calls REST a legacy API since October 2024 (new public apps must use GraphQL,
 * served by the same connector at /graphql.json); existing and custom apps keep REST.
 * https://shopify.dev/docs/api/admin-rest
 * Bodies wrap the record in its singular name: {"product": {...}}.
 * Events are webhook topics: https://shopify.dev/docs/api/webhooks?reference=toml
 */
import type { ConnectorConfig } from '../../config/schema.js'

export const SHOPIFY_CAPABILITIES: NonNullable<ConnectorConfig['capabilities']> = {
  entities: {
    // https://shopify.dev/docs/api/admin-rest/latest/resources/product
    // Shopify marks listing, creating, updating and deleting products through REST deprecated
    // since 2024-04 (the new product model lives in GraphQL); the pinned version still serves them.
    product: {
      fields: ['id', 'title', 'handle', 'status', 'vendor', 'product_type', 'variants', 'tags'],
      actions: {
        // https://shopify.dev/docs/api/admin-rest/latest/resources/product#get-products
        list: {
          method: 'GET',
          path: '/products.json',
          description: 'List products, 50 by default (query: limit up to 250, ids, status, vendor, updated_at_min, fields; the next page is in the Link header).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/product#get-products-product-id
        read: {
          method: 'GET',
          path: '/products/{{ params.id }}.json',
          description: 'Get one product by id, with its variants and images.',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/product#post-products
        create: {
          method: 'POST',
          path: '/products.json',
          description: 'Create a product (body: {"product": {"title": ..., "body_html": ..., "vendor": ..., "variants": [...]}}).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/product#put-products-product-id
        update: {
          method: 'PUT',
          path: '/products/{{ params.id }}.json',
          description: 'Update a product by id (body: {"product": {...}} with the fields to change).',
        },
      },
      // https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-products/create
      events: ['products/create', 'products/update', 'products/delete'],
    },
    // https://shopify.dev/docs/api/admin-rest/latest/resources/order
    order: {
      fields: ['id', 'name', 'email', 'financial_status', 'fulfillment_status', 'total_price', 'currency', 'line_items', 'created_at'],
      actions: {
        // https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders
        list: {
          method: 'GET',
          path: '/orders.json',
          description: 'List orders; open ones only unless the query says status=any (query: status, financial_status, fulfillment_status, created_at_min, limit up to 250, fields).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/order#get-orders-order-id
        read: {
          method: 'GET',
          path: '/orders/{{ params.id }}.json',
          description: 'Get one order by id, with its line items, customer and addresses.',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/order#post-orders
        create: {
          method: 'POST',
          path: '/orders.json',
          description: 'Create an order (body: {"order": {"line_items": [{"variant_id": ..., "quantity": ...}], "customer": ..., "financial_status": ...}}).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/order#put-orders-order-id
        update: {
          method: 'PUT',
          path: '/orders/{{ params.id }}.json',
          description: 'Update an order by id: note, tags, email, shipping address, metafields (body: {"order": {...}}).',
        },
      },
      // https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create
      events: ['orders/create', 'orders/updated', 'orders/paid', 'orders/fulfilled', 'orders/cancelled', 'orders/delete'],
    },
    // https://shopify.dev/docs/api/admin-rest/latest/resources/customer
    customer: {
      fields: ['id', 'email', 'first_name', 'last_name', 'phone', 'state', 'tags', 'addresses'],
      actions: {
        // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers
        list: {
          method: 'GET',
          path: '/customers.json',
          description: 'List customers, 50 by default (query: limit up to 250, ids, updated_at_min, fields; the next page is in the Link header).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers-customer-id
        read: {
          method: 'GET',
          path: '/customers/{{ params.id }}.json',
          description: 'Get one customer by id, with their addresses.',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#post-customers
        create: {
          method: 'POST',
          path: '/customers.json',
          description: 'Create a customer (body: {"customer": {"email": ..., "first_name": ..., "last_name": ..., "addresses": [...]}}).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#put-customers-customer-id
        update: {
          method: 'PUT',
          path: '/customers/{{ params.id }}.json',
          description: 'Update a customer by id (body: {"customer": {...}} with the fields to change).',
        },
        // https://shopify.dev/docs/api/admin-rest/latest/resources/customer#get-customers-search
        search: {
          method: 'GET',
          path: '/customers/search.json',
          description: 'Search customers (query: query, e.g. "email:bob@example.com" or "country:Canada"; order, limit, fields).',
        },
      },
      // https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-customers/create
      events: ['customers/create', 'customers/update', 'customers/delete'],
    },
  },
}

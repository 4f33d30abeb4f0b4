"""Respuestas en español (tuteo, como en la mayoría de tiendas online)."""

MESSAGES = {
    "greeting": "¡Hola{name}! Soy el asistente de {shop}. Puedo consultar un pedido, "
    "buscar productos o resolver dudas sobre envíos, pagos y devoluciones. "
    "¿En qué te ayudo?",
    "greeting_vip": "¡Qué alegría verte de nuevo, {first}! ¿En qué te puedo ayudar hoy?",
    "thanks": "¡De nada{name}! Si necesitas algo más, escríbeme aquí.",
    "out_of_scope": "Me temo que con eso no puedo ayudarte — lo mío son los pedidos, "
    "productos, envíos, pagos y devoluciones de {shop}.",
    "clarify": "Perdona, no lo he entendido bien. ¿Puedes decirlo de otra manera? "
    "Te puedo ayudar, por ejemplo, con esto:",
    "handoff_request": "¡Claro! Te paso con una persona de nuestro equipo. "
    "Te responderá aquí mismo.",
    "handoff_angry": "Lo siento de verdad. Aviso a una persona de nuestro equipo para que "
    "lo resuelva contigo personalmente — te responderá aquí mismo.",
    "handoff_unsure": "No quiero darte una respuesta equivocada, así que te paso con una "
    "persona de nuestro equipo. Te responderá aquí mismo.",
    "handoff_store": "Ahora mismo no consigo conectar con el sistema de la tienda, así que "
    "te paso con una persona de nuestro equipo. Te responderá aquí mismo.",
    "ask_order": "¡Lo miro encantado! ¿Cuál es tu número de pedido y el correo "
    "electrónico que usaste al comprar?",
    "ask_email": "¡Gracias! Para proteger tus datos: ¿qué correo electrónico usaste en el "
    "pedido {number}?",
    "ask_number": "¡Gracias! ¿Y cuál es el número de pedido? Lo encontrarás en el correo "
    "de confirmación.",
    "which_order": "¿Qué pedido quieres consultar, {first}? Estos son los últimos:",
    "no_orders": "Todavía no veo pedidos en tu cuenta. Si compraste como invitado, dime "
    "el número de pedido y el correo que usaste.",
    "not_found_guest": "No encuentro el pedido {number} con ese correo electrónico. "
    "¿Puedes comprobar ambos en el correo de confirmación?",
    "not_found_verified": "No encuentro el pedido {number} en tu cuenta. Si lo hiciste "
    "como invitado, dime el correo electrónico que usaste.",
    "rate_limited": "Ahora mismo no puedo consultar más pedidos en este chat. Inténtalo "
    "más tarde o pide hablar con una persona de nuestro equipo.",
    "order_head": "Tu pedido {number} del {date} está {status}.",
    "order_items": "Artículos: {items}. Total: {total}.",
    "order_tracking": "Seguimiento: {tracking}.",
    "order_refunds": "Reembolsado: {refunds}.",
    "my_orders": "Estos son tus últimos pedidos:",
    "cancel_open": "El pedido {number} aún no se ha enviado, así que todavía se puede "
    "cancelar o modificar. Lo hace una persona de nuestro equipo — ¿aviso a alguien?",
    "cancel_shipped": "El pedido {number} ya se ha enviado y no se puede cancelar — pero "
    "puedes devolverlo.",
    "order_closed": "El pedido {number} ya está {status}.",
    "refund_none": "Por ahora no se ha hecho ningún reembolso del pedido {number}.",
    "invoice": "Encontrarás la factura del pedido {number} en tu cuenta, en Pedidos: {link}",
    "invoice_general": "Encontrarás tus facturas en tu cuenta, en Pedidos: {link}",
    "policy": "Esto es lo que dice nuestra tienda: {policy}",
    "policy_none": "No tengo a mano las condiciones exactas. Una persona de nuestro equipo "
    "te lo dirá seguro — solo tienes que pedir hablar con una persona.",
    "shipping_head": "Así hacemos los envíos:",
    "free": "gratis",
    "free_from": "gratis a partir de {amount}",
    "everywhere_else": "Resto del mundo",
    "payment": "Puedes pagar con: {methods}.",
    "payment_issue": "¡Siento el problema con el pago! Estas son las formas de pago: "
    "{methods}. Si sigue sin funcionar, una persona de nuestro equipo lo revisará.",
    "products_head": "Esto es lo que he encontrado:",
    "products_none": "No he encontrado «{query}» en la tienda. ¿Puedes describirlo de otra manera?",
    "products_ask": "¿Qué estás buscando? Dime un producto o un tipo de producto, por "
    "ejemplo una chaqueta o unas botas.",
    "recommend_for": "Si te gusta {name}, echa un vistazo a estos:",
    "recommend_head": "Algunos favoritos que tenemos en stock ahora mismo:",
    "recommend_none": "Ahora mismo no tengo nada que sugerirte — dime qué tienes en mente "
    "y lo busco en la tienda.",
    "in_stock": "en stock",
    "few_left": "solo quedan {count}",
    "backorder": "disponible bajo pedido",
    "out_of_stock": "agotado",
    "on_sale": "en oferta, antes {amount}",
    "account_create": "Puedes crear una cuenta aquí: {link}",
    "account_edit": "Puedes cambiar tu nombre, correo y contraseña aquí: {link}",
    "account_password": "¡Sin problema! Puedes crear una contraseña nueva aquí: {link}",
    "account_delete": "Una persona de nuestro equipo puede eliminar tu cuenta — solo "
    "tienes que pedir hablar con una persona. Los datos de tu cuenta están aquí: {link}",
    "account_switch": "Cierra sesión e inicia sesión con la otra cuenta aquí: {link}",
    "account_problem": "¡Siento que no funcione! Puedes registrarte o restablecer la "
    "contraseña aquí: {link}. Si sigue fallando, nuestro equipo te ayudará.",
    "account_address": "Puedes añadir o cambiar tus direcciones aquí: {link}",
    "account_orders": "Puedes ver todos tus pedidos aquí: {link}",
    "place_order": "Puedes comprar directamente en la tienda: añade los productos al "
    "carrito y finaliza la compra. ¿Te busco algún producto?",
    "review": "¡Gracias por querer compartir tu opinión! Puedes dejar una reseña en la "
    "página del producto en la tienda.",
    "complaint": "Siento mucho oír eso. Cuéntame qué ha pasado — o pide hablar con una "
    "persona y alguien de nuestro equipo se encargará.",
    "contact": "Estás hablando con el asistente de {shop}. Si prefieres hablar con una "
    "persona, dímelo y aviso a alguien.",
    "store_none": "Me temo que no puedo consultarlo en esta tienda. Una persona de nuestro "
    "equipo te ayudará — solo tienes que pedirlo.",
}
STATUSES = {
    "pending": "pendiente de pago",
    "processing": "pagado y en preparación para el envío",
    "on-hold": "en espera hasta que recibamos tu pago",
    "completed": "completado y enviado",
    "cancelled": "cancelado",
    "refunded": "reembolsado",
    "failed": "sin pagar (el pago ha fallado)",
    "checkout-draft": "todavía sin realizar",
}
QUICK = {
    "track": "Rastrear mi pedido",
    "shipping": "Opciones de envío",
    "payment": "Métodos de pago",
    "returns": "Política de devoluciones",
    "person": "Hablar con una persona",
    "products": "Buscar un producto",
    "order": "Pedido {number}",
    "cancel": "Cancelar un pedido",
}
MONTHS = ()

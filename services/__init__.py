"""Union services and events: the catalogue, registration with capacity and a waiting list,
attendance, feedback and staff tools. "Services" is the product word, not a service layer."""

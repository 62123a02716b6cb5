catalog-categories = 🛒 <b>Choose a category</b>
    You can also type a service's name or number to find it.
catalog-services = 📂 <b>{ $category }</b>
    Prices are per 1000, or per package.
catalog-empty = The catalogue is empty right now. Please come back later.
category-button = { $name } ({ $count })
service-button = { $name } — { $price }
service-unavailable = This service is not available any more.
service-card =
    <b>{ $name }</b>
    📂 { $category } · { $kind }
    💵 { $price }
    ♻️ Refill: { $refill } · ✖ Cancel: { $cancel }{ $details }

    You will be asked for: { $asked }.
card-price = { $price } per 1000 · from { $min } to { $max }
card-price-package = { $price } per package
card-dripfeed = 💧 Gradual delivery (drip-feed) available
card-average-time = ⏱ Average time: { $time }
card-average-minutes = { $minutes } min
button-order = 🛒 Order
search-results = 🔎 Services matching “{ $query }”:
search-nothing = Nothing matches “{ $query }”. Try another word, or open the catalogue.
search-too-long = That is too long to search for. Type a few words or a service number.
type-default = Standard
type-package = Package
type-custom-comments = Custom comments
type-mentions-with-hashtags = Mentions with hashtags
type-mentions-custom-list = Mentions of a list
type-mentions-hashtag = Mentions from a hashtag
type-mentions-user-followers = Mentions of followers
type-subscriptions = Subscription
type-custom-comments-package = Comments package
type-poll = Poll votes
channel-required =
    📢 To order, please join { $channel } first.
    Then tap “Check again”.
channel-not-yet = You are not in the channel yet. Join it, then tap “Check again”.
channel-joined = ✅ Thank you for joining! Tap the button again to go on with your order.
button-join-channel = 📢 Join the channel
button-check-channel = 🔄 Check again
